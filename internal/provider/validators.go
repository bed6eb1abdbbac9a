package provider

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// float64AtLeast rejects numbers below a minimum, printing both without
// trailing zeros (the framework's own validator prints 1.000000), and adds
// what the value means.
type float64AtLeast struct {
	minimum float64
	reason  string
}

var _ validator.Float64 = float64AtLeast{}

func (v float64AtLeast) Description(context.Context) string {
	return fmt.Sprintf("value must be at least %s", formatNumber(v.minimum))
}

func (v float64AtLeast) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v float64AtLeast) ValidateFloat64(_ context.Context, req validator.Float64Request, resp *validator.Float64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	got := req.ConfigValue.ValueFloat64()
	if got >= v.minimum {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid value",
		fmt.Sprintf("%s must be at least %s, got %s. %s", req.Path, formatNumber(v.minimum), formatNumber(got), v.reason))
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
