// Package provider implements the Verda provider for OpenTofu and Terraform:
// shared filesystems, ComfyUI container deployments that are updated in place
// and healthy when apply ends, and drift checks of live deployments.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// Environment variables read when the matching argument is unset. The first
// three are the ones the verda-cloud/verda provider reads, so one environment
// configures both providers.
const (
	envClientID               = "VERDA_CLIENT_ID"
	envClientSecret           = "VERDA_CLIENT_SECRET"
	envBaseURL                = "VERDA_BASE_URL"
	envInferenceAPIKey        = "VERDA_INFERENCE_API_KEY"
	envPollInterval           = "VERDA_POLL_INTERVAL"
	envRequireTestingInstance = "VERDA_REQUIRE_TESTING_INSTANCE"
	envTestingInstanceMarker  = "VERDA_TESTING_INSTANCE_MARKER"
)

// Defaults of provider arguments.
const (
	defaultPollInterval          = 10 * time.Second
	defaultTestingInstanceMarker = "/etc/verda/testing-instance"
)

// literalSecretNote ends the description of each secret argument. OpenTofu
// 1.11 writes a literal provider argument into the JSON form of a saved plan
// even when the argument is sensitive.
const literalSecretNote = "Prefer the environment variable, because a value written in the provider block appears in " +
	"the JSON form of saved plans (`tofu show -json`)."

var _ provider.Provider = &verdaProvider{}

// New returns a constructor of the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &verdaProvider{version: version}
	}
}

type verdaProvider struct {
	version string
}

func (p *verdaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "verda"
	resp.Version = p.version
}

func (p *verdaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages Verda Cloud shared filesystems and ComfyUI serverless GPU container deployments. " +
			"Works beside the verda-cloud/verda provider and reads the same VERDA_CLIENT_ID, VERDA_CLIENT_SECRET " +
			"and VERDA_BASE_URL environment variables.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				Description: "OAuth2 client ID of the Verda API. Defaults to the VERDA_CLIENT_ID environment variable.",
				Optional:    true,
			},
			"client_secret": schema.StringAttribute{
				Description: "OAuth2 client secret of the Verda API. Defaults to the VERDA_CLIENT_SECRET environment variable. " +
					literalSecretNote,
				Optional:  true,
				Sensitive: true,
			},
			"base_url": schema.StringAttribute{
				Description: "Base URL of the Verda API. Defaults to the VERDA_BASE_URL environment variable, then to " +
					verda.DefaultBaseURL + ". Plain http is accepted only for a loopback host, such as a local emulator.",
				Optional: true,
			},
			"inference_api_key": schema.StringAttribute{
				Description: "Inference API key used to call deployment endpoints for health probes. Defaults to the " +
					"VERDA_INFERENCE_API_KEY environment variable. Without it, ComfyUI health probes are off by default. " +
					literalSecretNote,
				Optional:  true,
				Sensitive: true,
			},
			"max_retries": schema.Int64Attribute{
				Description: fmt.Sprintf("How many times a failed API request is retried (429, 500, 502, 503, 504 and network errors; a create only after 429 or a failed connection attempt, because it may have been committed). Default %d; 0 disables retries.", verda.DefaultMaxRetries),
				Optional:    true,
				Validators:  []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.StringAttribute{
				Description: fmt.Sprintf("Time limit of one HTTP attempt, as a Go duration such as \"60s\". Default %q.", verda.DefaultRequestTimeout.String()),
				Optional:    true,
			},
			"poll_interval": schema.StringAttribute{
				Description: fmt.Sprintf("Interval between status polls while waiting for deployments and volumes, as a Go duration. "+
					"Defaults to the VERDA_POLL_INTERVAL environment variable, then %q.", defaultPollInterval.String()),
				Optional: true,
			},
			"require_testing_instance": schema.BoolAttribute{
				Description: "When true, plan and apply work only on a marked testing server: configuring the provider fails " +
					"unless the marker file exists and the host name is not forbidden. Defaults to the " +
					"VERDA_REQUIRE_TESTING_INSTANCE environment variable, then false. `tofu validate` and `tofu fmt` work anywhere.",
				Optional: true,
			},
			"testing_instance_marker": schema.StringAttribute{
				Description: "Path of the marker file written when a testing server is provisioned. Defaults to the " +
					"VERDA_TESTING_INSTANCE_MARKER environment variable, then " + defaultTestingInstanceMarker + ".",
				Optional: true,
			},
			"forbidden_hostnames": schema.ListAttribute{
				Description: "Host names (as `hostname` prints them) on which plan and apply are refused when " +
					"require_testing_instance is true, such as development machines and production hosts.",
				ElementType: types.StringType,
				Optional:    true,
			},
		},
	}
}

// providerModel is the provider block.
type providerModel struct {
	ClientID               types.String `tfsdk:"client_id"`
	ClientSecret           types.String `tfsdk:"client_secret"`
	BaseURL                types.String `tfsdk:"base_url"`
	InferenceAPIKey        types.String `tfsdk:"inference_api_key"`
	MaxRetries             types.Int64  `tfsdk:"max_retries"`
	RequestTimeout         types.String `tfsdk:"request_timeout"`
	PollInterval           types.String `tfsdk:"poll_interval"`
	RequireTestingInstance types.Bool   `tfsdk:"require_testing_instance"`
	TestingInstanceMarker  types.String `tfsdk:"testing_instance_marker"`
	ForbiddenHostnames     types.List   `tfsdk:"forbidden_hostnames"`
}

func (p *verdaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings, diags := resolveSettings(ctx, cfg)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	// The guard runs before the client exists, so a refused host makes no API call.
	if err := settings.guard.check(); err != nil {
		resp.Diagnostics.AddError("Not a testing instance", err.Error())
		return
	}

	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "client_secret", "inference_api_key", "access_token", "refresh_token")
	client, err := verda.New(verda.Config{
		BaseURL:         settings.baseURL,
		ClientID:        settings.clientID,
		ClientSecret:    settings.clientSecret,
		InferenceAPIKey: settings.inferenceAPIKey,
		MaxRetries:      settings.maxRetries,
		RequestTimeout:  settings.requestTimeout,
		UserAgent:       fmt.Sprintf("terraform-provider-verda/%s (+OpenTofu/%s)", p.version, req.TerraformVersion),
		Logger:          tflogAdapter{},
	})
	if err != nil {
		resp.Diagnostics.AddError("Invalid provider configuration", err.Error())
		return
	}
	tflog.Debug(ctx, "configured Verda provider", map[string]any{
		"base_url":      client.BaseURL(),
		"poll_interval": settings.pollInterval.String(),
		"inference_key": client.HasInferenceKey(),
	})

	data := newProviderData(client, settings.pollInterval)
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *verdaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewSFSResource,
		NewComfyDeploymentResource,
	}
}

func (p *verdaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewComputeResourcesDataSource,
		NewDeploymentDriftDataSource,
		NewSFSDataSource,
	}
}

// settings are the provider arguments after environment defaults.
type settings struct {
	baseURL         string
	clientID        string
	clientSecret    string
	inferenceAPIKey string
	maxRetries      int
	requestTimeout  time.Duration
	pollInterval    time.Duration
	guard           testingGuard
}

func resolveSettings(ctx context.Context, cfg providerModel) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{
		baseURL:         stringOrEnv(cfg.BaseURL, envBaseURL, verda.DefaultBaseURL),
		clientID:        stringOrEnv(cfg.ClientID, envClientID, ""),
		clientSecret:    stringOrEnv(cfg.ClientSecret, envClientSecret, ""),
		inferenceAPIKey: stringOrEnv(cfg.InferenceAPIKey, envInferenceAPIKey, ""),
		requestTimeout:  verda.DefaultRequestTimeout,
		pollInterval:    defaultPollInterval,
	}

	if _, err := verda.ParseBaseURL(s.baseURL); err != nil {
		diags.AddAttributeError(path.Root("base_url"), "Invalid base URL", err.Error()+". Set base_url or VERDA_BASE_URL to an https URL such as "+verda.DefaultBaseURL+
			", or to an http URL of a loopback host for a local emulator.")
	}
	if s.clientID == "" || s.clientSecret == "" {
		diags.AddError("Missing Verda API credentials",
			"The provider needs a client ID and a client secret. Set client_id and client_secret in the provider block, "+
				"or the VERDA_CLIENT_ID and VERDA_CLIENT_SECRET environment variables (the same ones the "+
				"verda-cloud/verda provider reads).")
	}

	if !cfg.MaxRetries.IsNull() && !cfg.MaxRetries.IsUnknown() {
		n := cfg.MaxRetries.ValueInt64()
		if n < 0 || n > 20 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid max_retries", fmt.Sprintf("max_retries must be between 0 and 20, got %d.", n))
		}
		s.maxRetries = int(n)
		if n == 0 {
			s.maxRetries = -1
		}
	}
	if d, ok := parseDurationArg(&diags, cfg.RequestTimeout, "request_timeout", "", time.Second); ok {
		s.requestTimeout = d
	}
	if d, ok := parseDurationArg(&diags, cfg.PollInterval, "poll_interval", os.Getenv(envPollInterval), 10*time.Millisecond); ok {
		s.pollInterval = d
	}

	guard, guardDiags := resolveGuard(ctx, cfg)
	diags = append(diags, guardDiags...)
	s.guard = guard
	return s, diags
}

// parseDurationArg reads a duration argument, falling back to envValue.
func parseDurationArg(diags *diag.Diagnostics, v types.String, attr, envValue string, minimum time.Duration) (time.Duration, bool) {
	raw := envValue
	if !v.IsNull() && !v.IsUnknown() {
		raw = v.ValueString()
	}
	if raw == "" {
		return 0, false
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < minimum {
		diags.AddAttributeError(path.Root(attr), "Invalid "+attr,
			fmt.Sprintf("%s must be a Go duration of at least %s, such as \"30s\" or \"2m\"; got %q.", attr, minimum, raw))
		return 0, false
	}
	return d, true
}

func stringOrEnv(v types.String, env, fallback string) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return fallback
}

func boolOrEnv(v types.Bool, env string) (bool, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), nil
	}
	raw := os.Getenv(env)
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, got %q", env, raw)
	}
	return b, nil
}
