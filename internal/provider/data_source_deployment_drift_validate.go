package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// driftUniqueNames rejects a deployment that names lists more than once. It
// replaces listvalidator.UniqueValues, whose message names neither the
// attribute nor the fix.
type driftUniqueNames struct{}

func (driftUniqueNames) Description(context.Context) string {
	return "must list each deployment once"
}

func (v driftUniqueNames) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (driftUniqueNames) ValidateList(_ context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[string]bool{}
	for i, elem := range req.ConfigValue.Elements() {
		name, ok := elem.(types.String)
		if !ok || name.IsNull() || name.IsUnknown() {
			continue
		}
		if seen[name.ValueString()] {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Deployment listed twice",
				fmt.Sprintf("names lists %q more than once. List each deployment once.", name.ValueString()))
			continue
		}
		seen[name.ValueString()] = true
	}
}

// driftReplicaRange rejects a baseline whose min_replicas is greater than its
// max_replicas, because no deployment can match it. It is set on
// baseline.max_replicas and reads min_replicas beside it.
type driftReplicaRange struct{}

func (driftReplicaRange) Description(context.Context) string {
	return "must be at least baseline.min_replicas"
}

func (v driftReplicaRange) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (driftReplicaRange) ValidateInt64(ctx context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var minReplicas types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName("min_replicas"), &minReplicas)...)
	if minReplicas.IsNull() || minReplicas.IsUnknown() || minReplicas.ValueInt64() <= req.ConfigValue.ValueInt64() {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid replica range",
		fmt.Sprintf("baseline.min_replicas (%d) is greater than baseline.max_replicas (%d), so no deployment can match the baseline. "+
			"Raise max_replicas or lower min_replicas.", minReplicas.ValueInt64(), req.ConfigValue.ValueInt64()))
}
