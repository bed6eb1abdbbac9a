package provider

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

var (
	_ datasource.DataSource              = &deploymentDriftDataSource{}
	_ datasource.DataSourceWithConfigure = &deploymentDriftDataSource{}
)

// NewDeploymentDriftDataSource returns the verda_deployment_drift data source.
func NewDeploymentDriftDataSource() datasource.DataSource {
	return &deploymentDriftDataSource{}
}

type deploymentDriftDataSource struct {
	data *providerData
}

var (
	driftFlagPattern        = regexp.MustCompile(`^--[A-Za-z0-9][-A-Za-z0-9_]*$`)
	driftEnvNamePattern     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	driftAbsolutePattern    = regexp.MustCompile(`^/`)
	driftAllowedDiffPattern = regexp.MustCompile(`^(` + strings.Join(driftConsistencyAttributes, "|") +
		`|(args|env|volume_mounts)\.(\*|.+))$`)
)

func (d *deploymentDriftDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_deployment_drift"
}

func (d *deploymentDriftDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Compares live container deployments with a baseline and with each other, and reports every " +
			"difference as a finding that `check` blocks and postconditions can test. It reads the deployments " +
			"whether or not this configuration manages them. Reading N deployments costs one list call, plus one " +
			"scaling call per deployment when the baseline checks scaling or `consistency` is on, plus one status " +
			"call per deployment when `check_status` is on. It never calls a deployment's inference endpoint. " +
			"Baseline and consistency checks look at the first container of each deployment, which is the one " +
			"that runs ComfyUI.",
		Attributes: map[string]schema.Attribute{
			"names": schema.ListAttribute{
				Description: "Deployments to check. A name that does not exist gives a finding of kind `missing` " +
					"on attribute `deployment`, not an error. Conflicts with `name_prefix`. With neither, every " +
					"deployment of the account is checked.",
				ElementType: types.StringType,
				Optional:    true,
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					driftUniqueNames{},
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
					listvalidator.ConflictsWith(path.MatchRoot("name_prefix")),
				},
			},
			"name_prefix": schema.StringAttribute{
				Description: "Check only the deployments whose name starts with this prefix. Conflicts with `names`.",
				Optional:    true,
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"baseline": driftBaselineSchema(),
			"consistency": schema.BoolAttribute{
				Description: "When true, compare the selected deployments with each other: for every attribute, " +
					"the value most of them share is the reference, and each deployment with another value gets a " +
					"finding of kind `inconsistent`. On a tie, the reference is the value of the alphabetically first " +
					"deployment among the largest groups. Default false.",
				Optional: true,
				Computed: true,
			},
			"allowed_differences": schema.SetAttribute{
				Description: "Attributes on which consistency mode accepts differences. Default " +
					"`[\"gpu_count\", \"gpu_type\", \"is_spot\"]`. Set `[]` to compare everything. Names: " +
					strings.Join(driftConsistencyAttributes, ", ") + "; `args.<flag>` for one command-line flag " +
					"(such as `args.--output-directory`), `env.<NAME>` for one environment variable, " +
					"`volume_mounts.<path>` for one mount; `args.*`, `env.*` and `volume_mounts.*` for a whole family.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(driftAllowedDiffPattern,
						"must be one of the consistency attribute names listed in the description, or args.<flag>, env.<NAME> or volume_mounts.<path>")),
				},
			},
			"check_status": schema.BoolAttribute{
				Description: "When true, read each deployment's status and report any status other than " +
					"`healthy` as a finding of kind `unhealthy`. Default true.",
				Optional: true,
				Computed: true,
			},
			"drifted": schema.BoolAttribute{
				Description: "Whether there is at least one finding.",
				Computed:    true,
			},
			"drift_count": schema.Int64Attribute{
				Description: "Number of findings.",
				Computed:    true,
			},
			"findings": schema.ListNestedAttribute{
				Description: "Differences found, sorted by deployment, then attribute. They carry no timestamps, so " +
					"two reads of an unchanged account are equal.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"deployment": schema.StringAttribute{
							Description: "Name of the deployment.",
							Computed:    true,
						},
						"attribute": schema.StringAttribute{
							Description: "What differs: a baseline argument name (such as `healthcheck_path`), " +
								"`args.<flag>`, `env.<NAME>`, `volume_mounts.<path>`, a consistency attribute name, " +
								"`status`, `containers`, or `deployment` for a deployment that does not exist.",
							Computed: true,
						},
						"kind": schema.StringAttribute{
							Description: "One of `changed` (a different value), `missing` (absent), `unexpected` " +
								"(a forbidden flag is present), `inconsistent` (differs from the other deployments) " +
								"and `unhealthy` (status other than `healthy`).",
							Computed: true,
						},
						"expected": schema.StringAttribute{
							Description: "Expected value, or null when there is none to show. Secret references, and " +
								"plain values of variables that should be secrets, are never shown.",
							Computed: true,
						},
						"actual": schema.StringAttribute{
							Description: "Live value, or null when it is absent or must not be shown.",
							Computed:    true,
						},
						"message": schema.StringAttribute{
							Description: "One-line description of the finding.",
							Computed:    true,
						},
					},
				},
			},
			"deployments": schema.MapNestedAttribute{
				Description: "Every checked deployment by name, including requested names that do not exist.",
				Computed:    true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"drifted": schema.BoolAttribute{
							Description: "Whether this deployment has at least one finding.",
							Computed:    true,
						},
						"finding_count": schema.Int64Attribute{
							Description: "Number of findings of this deployment.",
							Computed:    true,
						},
						"status": schema.StringAttribute{
							Description: "Status of the deployment, or null when `check_status` is false or the deployment does not exist.",
							Computed:    true,
						},
						"image": schema.StringAttribute{
							Description: "Image of the first container, or null when there is none.",
							Computed:    true,
						},
						"command": schema.ListAttribute{
							Description: "Command of the first container: the entrypoint override followed by its cmd. " +
								"Null when no override is enabled and the image's own command runs.",
							ElementType: types.StringType,
							Computed:    true,
						},
					},
				},
			},
			"summary": schema.StringAttribute{
				Description: "Report with one line per finding, `<deployment>: <message> [<kind>]`, ready for an " +
					"`error_message`. Without findings it is a single line saying that nothing drifted.",
				Computed: true,
			},
		},
	}
}

func driftBaselineSchema() schema.SingleNestedAttribute {
	absolute := stringvalidator.RegexMatches(driftAbsolutePattern, "must be an absolute path")
	flag := stringvalidator.RegexMatches(driftFlagPattern, "must be a long flag such as --output-directory")
	envName := stringvalidator.RegexMatches(driftEnvNamePattern, "must be an environment variable name")
	port := int64validator.Between(1, 65535)

	return schema.SingleNestedAttribute{
		Description: "Expected values. Every argument is optional, and only the ones set are checked.",
		Optional:    true,
		Attributes: map[string]schema.Attribute{
			"image": schema.StringAttribute{
				Description: "Expected container image, such as `ghcr.io/comfyume/comfyui:0.3.64-cu128`. The `latest` tag and " +
					"untagged images are rejected, because no deployment can run them.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), imageReferenceValidator{}},
			},
			"healthcheck_path": schema.StringAttribute{
				Description: "Expected healthcheck path, such as `/system_stats`. An absent or disabled healthcheck is a `missing` finding.",
				Optional:    true,
				Validators:  []validator.String{absolute},
			},
			"healthcheck_port": schema.Int64Attribute{
				Description: "Expected healthcheck port.",
				Optional:    true,
				Validators:  []validator.Int64{port},
			},
			"exposed_port": schema.Int64Attribute{
				Description: "Expected exposed port of the container.",
				Optional:    true,
				Validators:  []validator.Int64{port},
			},
			"output_directory": schema.StringAttribute{
				Description: "Expected value of `--output-directory` in the container command. Trailing slashes are ignored.",
				Optional:    true,
				Validators:  []validator.String{absolute},
			},
			"required_args": schema.MapAttribute{
				Description: "Flags that must appear in the container command, such as `{\"--listen\" = \"0.0.0.0\"}`. " +
					"An empty value requires only that the flag appears.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Map{mapvalidator.KeysAre(flag)},
			},
			"forbidden_args": schema.SetAttribute{
				Description: "Flags that must not appear in the container command, such as `--cpu`.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(flag)},
			},
			"queue_load_threshold": schema.Float64Attribute{
				Description: "Expected queue-load scaling threshold (waiting requests per replica).",
				Optional:    true,
				Validators:  []validator.Float64{float64validator.AtLeast(0)},
			},
			"min_replicas": schema.Int64Attribute{
				Description: "Expected minimum replica count.",
				Optional:    true,
				Validators:  []validator.Int64{int64validator.AtLeast(0)},
			},
			"max_replicas": schema.Int64Attribute{
				Description: "Expected maximum replica count, at least `min_replicas`.",
				Optional:    true,
				Validators:  []validator.Int64{int64validator.AtLeast(0), driftReplicaRange{}},
			},
			"concurrent_requests_per_replica": schema.Int64Attribute{
				Description: "Expected number of requests each replica handles at once.",
				Optional:    true,
				Validators:  []validator.Int64{int64validator.AtLeast(1)},
			},
			"sfs_volume_id": schema.StringAttribute{
				Description: "ID of a shared filesystem that must be mounted (mount type `shared`). With " +
					"`sfs_mount_path`, it must be mounted at that path.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"sfs_mount_path": schema.StringAttribute{
				Description: "Path at which a shared filesystem must be mounted. With `sfs_volume_id`, the mount at " +
					"this path must be of that volume.",
				Optional:   true,
				Validators: []validator.String{absolute},
			},
			"env": schema.MapAttribute{
				Description: "Environment variables that must be set to these plain values.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Map{mapvalidator.KeysAre(envName)},
			},
			"secret_env_names": schema.SetAttribute{
				Description: "Environment variables that must be secret references. Findings about them never show a value.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Set{setvalidator.ValueStringsAre(envName)},
			},
			"secret_env": schema.MapAttribute{
				Description: "Environment variables that must reference these Verda secrets, by secret name. " +
					"A different reference is reported by variable name only, and neither secret name appears in the finding.",
				ElementType: types.StringType,
				Optional:    true,
				Validators:  []validator.Map{mapvalidator.KeysAre(envName)},
			},
			"registry_credentials": schema.StringAttribute{
				Description: "Expected name of the container registry credentials. Set `\"\"` to require that none are set.",
				Optional:    true,
			},
		},
	}
}

func (d *deploymentDriftDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *deploymentDriftDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg deploymentDriftModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := cfg.options(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil {
		resp.Diagnostics.AddError("Provider not configured",
			"The drift check needs a configured verda provider. Make sure the provider block has known credentials and base_url.")
		return
	}

	list, err := d.data.client.ListDeployments(ctx)

	if err != nil {
		resp.Diagnostics.AddError("Deployments not listed", "Reading the container deployments for the drift check failed: "+
			err.Error()+". Check the provider credentials and base_url, then plan again.")
		return
	}

	targets, findings := driftSelect(list, opts)
	targets, vanished, diags := d.readDetails(ctx, targets, opts)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	findings = append(findings, vanished...)

	for _, t := range targets {
		findings = append(findings, driftCompareWithBaseline(t, opts.baseline)...)
		findings = append(findings, driftStatusFinding(t)...)
	}
	if opts.consistency {
		findings = append(findings, driftCompareConsistency(targets, opts.allowedDifferences)...)
	}
	driftSortFindings(findings)
	tflog.Debug(ctx, "checked deployments for drift", map[string]any{"deployments": len(targets), "findings": len(findings)})

	resp.Diagnostics.Append(cfg.flatten(ctx, targets, findings)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// driftSelect picks the deployments to check, sorted by name, and reports
// requested names that do not exist.
func driftSelect(list []verda.ContainerDeployment, opts driftOptions) ([]driftTarget, []driftFinding) {
	byName := make(map[string]verda.ContainerDeployment, len(list))
	for _, dep := range list {
		byName[dep.Name] = dep
	}

	var targets []driftTarget
	var findings []driftFinding
	switch {
	case opts.names != nil:
		for _, name := range opts.names {
			dep, ok := byName[name]
			if !ok {
				findings = append(findings, driftMissingDeployment(name, fmt.Sprintf("deployment %q does not exist", name)))
				continue
			}
			targets = append(targets, driftTarget{Deployment: dep})
		}
	default:
		for _, dep := range list {
			if strings.HasPrefix(dep.Name, opts.namePrefix) {
				targets = append(targets, driftTarget{Deployment: dep})
			}
		}
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].Deployment.Name < targets[j].Deployment.Name })
	return targets, findings
}

// readDetails reads scaling and status where the checks need them. A
// deployment deleted after the list call becomes a missing finding.
func (d *deploymentDriftDataSource) readDetails(ctx context.Context, targets []driftTarget, opts driftOptions) ([]driftTarget, []driftFinding, diag.Diagnostics) {
	var diags diag.Diagnostics
	var vanished []driftFinding
	kept := targets[:0]
	for _, t := range targets {
		name := t.Deployment.Name
		if opts.needsScaling() {
			s, err := d.data.client.GetScaling(ctx, name)

			if verda.IsNotFound(err) {
				vanished = append(vanished, driftMissingDeployment(name, fmt.Sprintf("deployment %q was deleted while the drift check read it", name)))
				continue
			}
			if err != nil {
				diags.AddError("Deployment scaling not read", fmt.Sprintf("Reading the scaling of deployment %q for the drift check failed: %s. Plan again, and if it fails again, check the deployment in the Verda console.", name, err))
				return nil, nil, diags
			}
			t.Scaling = s
		}
		if opts.checkStatus {
			status, err := d.data.client.GetDeploymentStatus(ctx, name)

			if verda.IsNotFound(err) {
				vanished = append(vanished, driftMissingDeployment(name, fmt.Sprintf("deployment %q was deleted while the drift check read it", name)))
				continue
			}
			if err != nil {
				diags.AddError("Deployment status not read", fmt.Sprintf("Reading the status of deployment %q for the drift check failed: %s. Plan again, or set check_status = false to skip status checks.", name, err))
				return nil, nil, diags
			}
			t.Status = status
		}
		kept = append(kept, t)
	}
	return kept, vanished, diags
}

// driftOptions are the arguments of one read, with defaults applied.
type driftOptions struct {
	// names is nil when the argument is not set.
	names              []string
	namePrefix         string
	baseline           driftBaseline
	consistency        bool
	allowedDifferences []string
	checkStatus        bool
}

func (o driftOptions) needsScaling() bool { return o.consistency || o.baseline.needsScaling() }

// options reads the arguments and writes the defaults of optional ones back
// into the model, so that the state shows what was applied.
func (m *deploymentDriftModel) options(ctx context.Context, diags *diag.Diagnostics) driftOptions {
	opts := driftOptions{
		namePrefix:  m.NamePrefix.ValueString(),
		consistency: m.Consistency.ValueBool(),
		checkStatus: true,
	}
	if !m.Names.IsNull() {
		opts.names = []string{}
		diags.Append(m.Names.ElementsAs(ctx, &opts.names, false)...)
	}
	if !m.CheckStatus.IsNull() {
		opts.checkStatus = m.CheckStatus.ValueBool()
	}
	if m.AllowedDifferences.IsNull() {
		opts.allowedDifferences = append([]string{}, driftDefaultAllowedDifferences...)
	} else {
		diags.Append(m.AllowedDifferences.ElementsAs(ctx, &opts.allowedDifferences, false)...)
	}
	if m.Baseline != nil {
		opts.baseline = m.Baseline.baseline(ctx, diags)
	}

	m.Consistency = types.BoolValue(opts.consistency)
	m.CheckStatus = types.BoolValue(opts.checkStatus)
	allowed, d := types.SetValueFrom(ctx, types.StringType, opts.allowedDifferences)
	diags.Append(d...)
	m.AllowedDifferences = allowed
	return opts
}

// flatten writes the computed attributes.
func (m *deploymentDriftModel) flatten(ctx context.Context, targets []driftTarget, findings []driftFinding) diag.Diagnostics {
	var diags diag.Diagnostics

	counts := map[string]int64{}
	m.Findings = make([]driftFindingModel, 0, len(findings))
	for _, f := range findings {
		counts[f.Deployment]++
		m.Findings = append(m.Findings, driftFindingModel{
			Deployment: types.StringValue(f.Deployment),
			Attribute:  types.StringValue(f.Attribute),
			Kind:       types.StringValue(f.Kind),
			Expected:   types.StringPointerValue(f.Expected),
			Actual:     types.StringPointerValue(f.Actual),
			Message:    types.StringValue(f.Message),
		})
	}

	m.Deployments = map[string]driftDeploymentModel{}
	for _, t := range targets {
		entry := driftDeploymentModel{
			Status:  types.StringNull(),
			Image:   types.StringNull(),
			Command: types.ListNull(types.StringType),
		}
		if t.Status != "" {
			entry.Status = types.StringValue(t.Status)
		}
		if c, ok := t.mainContainer(); ok {
			entry.Image = types.StringValue(c.Image.Image)
			if argv := driftContainerCommand(c); argv != nil {
				cmd, d := types.ListValueFrom(ctx, types.StringType, argv)
				diags.Append(d...)
				entry.Command = cmd
			}
		}
		m.Deployments[t.Deployment.Name] = entry
	}
	for _, f := range findings {
		if _, ok := m.Deployments[f.Deployment]; !ok {
			m.Deployments[f.Deployment] = driftDeploymentModel{
				Status:  types.StringNull(),
				Image:   types.StringNull(),
				Command: types.ListNull(types.StringType),
			}
		}
	}
	for name, entry := range m.Deployments {
		entry.FindingCount = types.Int64Value(counts[name])
		entry.Drifted = types.BoolValue(counts[name] > 0)
		m.Deployments[name] = entry
	}

	m.Drifted = types.BoolValue(len(findings) > 0)
	m.DriftCount = types.Int64Value(int64(len(findings)))
	m.Summary = types.StringValue(driftSummary(findings, len(targets)))
	return diags
}

// baseline converts the baseline block into plain Go values.
func (b *driftBaselineModel) baseline(ctx context.Context, diags *diag.Diagnostics) driftBaseline {
	out := driftBaseline{
		Image:               b.Image.ValueStringPointer(),
		HealthcheckPath:     b.HealthcheckPath.ValueStringPointer(),
		HealthcheckPort:     b.HealthcheckPort.ValueInt64Pointer(),
		ExposedPort:         b.ExposedPort.ValueInt64Pointer(),
		OutputDirectory:     b.OutputDirectory.ValueStringPointer(),
		QueueLoadThreshold:  b.QueueLoadThreshold.ValueFloat64Pointer(),
		MinReplicas:         b.MinReplicas.ValueInt64Pointer(),
		MaxReplicas:         b.MaxReplicas.ValueInt64Pointer(),
		ConcurrentRequests:  b.ConcurrentRequestsPerReplica.ValueInt64Pointer(),
		SFSVolumeID:         b.SFSVolumeID.ValueStringPointer(),
		SFSMountPath:        b.SFSMountPath.ValueStringPointer(),
		RegistryCredentials: b.RegistryCredentials.ValueStringPointer(),
	}
	driftElements(ctx, diags, b.RequiredArgs, &out.RequiredArgs)
	driftElements(ctx, diags, b.ForbiddenArgs, &out.ForbiddenArgs)
	driftElements(ctx, diags, b.Env, &out.Env)
	driftElements(ctx, diags, b.SecretEnvNames, &out.SecretEnvNames)
	driftElements(ctx, diags, b.SecretEnv, &out.SecretEnv)
	return out
}

// driftElements copies a known list, set or map into target. A null value
// leaves target empty.
func driftElements(ctx context.Context, diags *diag.Diagnostics, v interface {
	IsNull() bool
	IsUnknown() bool
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}, target any) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	diags.Append(v.ElementsAs(ctx, target, false)...)
}

type deploymentDriftModel struct {
	Names              types.List                      `tfsdk:"names"`
	NamePrefix         types.String                    `tfsdk:"name_prefix"`
	Baseline           *driftBaselineModel             `tfsdk:"baseline"`
	Consistency        types.Bool                      `tfsdk:"consistency"`
	AllowedDifferences types.Set                       `tfsdk:"allowed_differences"`
	CheckStatus        types.Bool                      `tfsdk:"check_status"`
	Drifted            types.Bool                      `tfsdk:"drifted"`
	DriftCount         types.Int64                     `tfsdk:"drift_count"`
	Findings           []driftFindingModel             `tfsdk:"findings"`
	Deployments        map[string]driftDeploymentModel `tfsdk:"deployments"`
	Summary            types.String                    `tfsdk:"summary"`
}

type driftBaselineModel struct {
	Image                        types.String  `tfsdk:"image"`
	HealthcheckPath              types.String  `tfsdk:"healthcheck_path"`
	HealthcheckPort              types.Int64   `tfsdk:"healthcheck_port"`
	ExposedPort                  types.Int64   `tfsdk:"exposed_port"`
	OutputDirectory              types.String  `tfsdk:"output_directory"`
	RequiredArgs                 types.Map     `tfsdk:"required_args"`
	ForbiddenArgs                types.Set     `tfsdk:"forbidden_args"`
	QueueLoadThreshold           types.Float64 `tfsdk:"queue_load_threshold"`
	MinReplicas                  types.Int64   `tfsdk:"min_replicas"`
	MaxReplicas                  types.Int64   `tfsdk:"max_replicas"`
	ConcurrentRequestsPerReplica types.Int64   `tfsdk:"concurrent_requests_per_replica"`
	SFSVolumeID                  types.String  `tfsdk:"sfs_volume_id"`
	SFSMountPath                 types.String  `tfsdk:"sfs_mount_path"`
	Env                          types.Map     `tfsdk:"env"`
	SecretEnvNames               types.Set     `tfsdk:"secret_env_names"`
	SecretEnv                    types.Map     `tfsdk:"secret_env"`
	RegistryCredentials          types.String  `tfsdk:"registry_credentials"`
}

type driftFindingModel struct {
	Deployment types.String `tfsdk:"deployment"`
	Attribute  types.String `tfsdk:"attribute"`
	Kind       types.String `tfsdk:"kind"`
	Expected   types.String `tfsdk:"expected"`
	Actual     types.String `tfsdk:"actual"`
	Message    types.String `tfsdk:"message"`
}

type driftDeploymentModel struct {
	Drifted      types.Bool   `tfsdk:"drifted"`
	FindingCount types.Int64  `tfsdk:"finding_count"`
	Status       types.String `tfsdk:"status"`
	Image        types.String `tfsdk:"image"`
	Command      types.List   `tfsdk:"command"`
}
