package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = &computeResourcesDataSource{}
	_ datasource.DataSourceWithConfigure = &computeResourcesDataSource{}
)

// NewComputeResourcesDataSource returns the verda_compute_resources data source.
func NewComputeResourcesDataSource() datasource.DataSource {
	return &computeResourcesDataSource{}
}

type computeResourcesDataSource struct {
	data *providerData
}

func (d *computeResourcesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_compute_resources"
}

func (d *computeResourcesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Lists the serverless GPU types and sizes that container deployments can use, and whether each can be had now.",
		Attributes: map[string]schema.Attribute{
			"available_only": schema.BoolAttribute{
				Description: "When true, list only the types and sizes that are available now. Default false.",
				Optional:    true,
			},
			"resources": schema.ListNestedAttribute{
				Description: "GPU types and sizes, sorted by name and then size.",
				Computed:    true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Description: "GPU type, such as `H200`; the value of `gpu.type` in verda_comfy_deployment.",
							Computed:    true,
						},
						"size": schema.Int64Attribute{
							Description: "Number of GPUs per replica.",
							Computed:    true,
						},
						"is_available": schema.BoolAttribute{
							Description: "Whether this type and size can be deployed now.",
							Computed:    true,
						},
					},
				},
			},
			"names": schema.ListAttribute{
				Description: "Distinct GPU type names among `resources`, sorted.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

func (d *computeResourcesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *computeResourcesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg computeResourcesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	list, err := d.data.client.ListComputeResources(ctx)

	if err != nil {
		resp.Diagnostics.AddError("Compute resources not listed", "Reading the serverless compute resources failed: "+err.Error())
		return
	}

	sort.Slice(list, func(i, j int) bool {
		if list[i].Name != list[j].Name {
			return list[i].Name < list[j].Name
		}
		return list[i].Size < list[j].Size
	})
	availableOnly := cfg.AvailableOnly.ValueBool()
	cfg.Resources = []computeResourceModel{}
	var names []string
	for _, r := range list {
		if availableOnly && !r.IsAvailable {
			continue
		}
		cfg.Resources = append(cfg.Resources, computeResourceModel{
			Name:        types.StringValue(r.Name),
			Size:        types.Int64Value(r.Size),
			IsAvailable: types.BoolValue(r.IsAvailable),
		})
		if len(names) == 0 || names[len(names)-1] != r.Name {
			names = append(names, r.Name)
		}
	}
	nameList, diags := types.ListValueFrom(ctx, types.StringType, names)
	resp.Diagnostics.Append(diags...)
	cfg.Names = nameList

	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

type computeResourcesModel struct {
	AvailableOnly types.Bool             `tfsdk:"available_only"`
	Resources     []computeResourceModel `tfsdk:"resources"`
	Names         types.List             `tfsdk:"names"`
}

type computeResourceModel struct {
	Name        types.String `tfsdk:"name"`
	Size        types.Int64  `tfsdk:"size"`
	IsAvailable types.Bool   `tfsdk:"is_available"`
}
