package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

var (
	_ datasource.DataSource                     = &sfsDataSource{}
	_ datasource.DataSourceWithConfigure        = &sfsDataSource{}
	_ datasource.DataSourceWithConfigValidators = &sfsDataSource{}
)

// NewSFSDataSource returns the verda_sfs data source.
func NewSFSDataSource() datasource.DataSource {
	return &sfsDataSource{}
}

type sfsDataSource struct {
	data *providerData
}

func (d *sfsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sfs"
}

func (d *sfsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Looks up one existing Verda shared filesystem (SFS) by `id` or by `name`, without managing it, so that " +
			"a configuration can mount it while nothing in it can delete it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: sfsDescID + " Set exactly one of `id` and `name`.",
				Optional:    true,
				Computed:    true,
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				Description: "Name of the SFS. Set exactly one of `id` and `name`. A name that no shared filesystem has, " +
					"or that several have, is an error; the latter lists their ids so that you can look one up by `id`.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"size":                        schema.Int64Attribute{Description: sfsDescSize, Computed: true},
			"type":                        schema.StringAttribute{Description: sfsDescType, Computed: true},
			"location":                    schema.StringAttribute{Description: sfsDescLocation, Computed: true},
			"status":                      schema.StringAttribute{Description: sfsDescStatus, Computed: true},
			"created_at":                  schema.StringAttribute{Description: sfsDescCreatedAt, Computed: true},
			"pseudo_path":                 schema.StringAttribute{Description: sfsDescPseudoPath, Computed: true},
			"mount_command":               schema.StringAttribute{Description: sfsDescMountCommand, Computed: true},
			"create_directory_command":    schema.StringAttribute{Description: sfsDescCreateDirCommand, Computed: true},
			"filesystem_to_fstab_command": schema.StringAttribute{Description: sfsDescFstabCommand, Computed: true},
			"instance_ids": schema.ListAttribute{
				Description: sfsDescInstanceIDs,
				ElementType: types.StringType,
				Computed:    true,
			},
			"monthly_price": schema.Float64Attribute{Description: sfsDescMonthlyPrice, Computed: true},
			"currency":      schema.StringAttribute{Description: sfsDescCurrency, Computed: true},
		},
	}
}

func (d *sfsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *sfsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sfsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg sfsVolumeModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	var v *verda.Volume
	if !cfg.ID.IsNull() {
		v = d.readByID(ctx, cfg.ID.ValueString(), resp)
	} else {
		v = d.readByName(ctx, cfg.Name.ValueString(), resp)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	resp.Diagnostics.Append(cfg.setFromVolume(ctx, v)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func (d *sfsDataSource) readByID(ctx context.Context, id string, resp *datasource.ReadResponse) *verda.Volume {
	v, err := d.data.client.GetVolume(ctx, id)

	if verda.IsNotFound(err) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "SFS not found",
			fmt.Sprintf("No volume has the id %q, or it is in the trash. Check the id, or look the SFS up by name.", id))
		return nil
	}
	if err != nil {
		resp.Diagnostics.AddError("SFS not read", fmt.Sprintf("Reading SFS %s failed: %s", id, err))
		return nil
	}

	typeList, err := d.data.volumeTypes(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Volume types not listed", fmt.Sprintf("Checking that volume %s is a shared filesystem failed: %s", id, err))
		return nil
	}
	if !sfsTypeIsShared(typeList, v.Type) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Not a shared filesystem",
			fmt.Sprintf("Volume %q (id %s) has type %q, which is not a shared filesystem type (%s).",
				v.Name, id, v.Type, strings.Join(sfsSharedTypeNames(typeList), ", ")))
		return nil
	}
	return v
}

func (d *sfsDataSource) readByName(ctx context.Context, name string, resp *datasource.ReadResponse) *verda.Volume {
	matches, all, err := sfsFindByName(ctx, d.data, name)

	if err != nil {
		resp.Diagnostics.AddError("SFS not read", fmt.Sprintf("Looking up the SFS named %q failed: %s", name, err))
		return nil
	}

	switch len(matches) {
	case 0:
		resp.Diagnostics.AddAttributeError(path.Root("name"), "SFS not found",
			fmt.Sprintf("No shared filesystem is named %q. Existing shared filesystems: %s. Set name to one of them, "+
				"or look the SFS up by id.", name, sfsNamesOrNone(all)))
		return nil
	case 1:
		return &matches[0]
	}
	resp.Diagnostics.AddAttributeError(path.Root("name"), "Ambiguous SFS name",
		fmt.Sprintf("%d shared filesystems are named %q (ids %s). Look the one you mean up by id instead of name.",
			len(matches), name, strings.Join(sfsVolumeIDs(matches), ", ")))
	return nil
}
