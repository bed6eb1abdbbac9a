package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/comfyume/terraform-provider-verda/internal/comfy"
)

// Defaults of verda_comfy_deployment arguments: the team's ComfyUI conventions.
const (
	defaultComfyListen          = "0.0.0.0"
	defaultComfyOutputDirectory = "/mnt/sfs/outputs"
	defaultSFSMountPath         = "/mnt/sfs"
	defaultHealthcheckPath      = "/system_stats"
	defaultProbePath            = "/system_stats"
	memoryMountPath             = "/dev/shm"
	onFailedUpdateRollback      = "rollback"
	onFailedUpdateKeep          = "keep"
)

// Scaling defaults follow the Verda CLI: one replica at most, a request TTL
// of 300 s, scale up at once and scale down after 300 s.
const (
	defaultMinReplicas        = 0
	defaultMaxReplicas        = 1
	defaultQueueLoadThreshold = 1.0
	defaultConcurrency        = 1
	defaultQueueMessageTTL    = 300
	defaultScaleUpDelay       = 0
	defaultScaleDownDelay     = 300
)

// defaultComfyEntrypoint starts ComfyUI from the path the official ComfyUI
// images and most community images use.
var defaultComfyEntrypoint = []string{"python3", "/app/ComfyUI/main.py"}

// deploymentNameRE is the name rule of the Verda API (as the Verda CLI
// enforces it): lower-case letters, digits and inner hyphens.
var deploymentNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// envNameRE accepts portable environment variable names.
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

var absolutePathRE = regexp.MustCompile(`^/`)

// listenRE accepts the value of ComfyUI's --listen: addresses separated by
// commas, with no spaces and no leading "-" that argparse would read as a flag.
var listenRE = regexp.MustCompile(`^[^\s-]\S*$`)

func (r *comfyDeploymentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	stringList := types.ListType{ElemType: types.StringType}
	resp.Schema = schema.Schema{
		Description: "A ComfyUI deployment on Verda serverless GPUs. Changes are applied in place (only `name` forces " +
			"replacement), and apply ends only when the deployment is healthy and its ComfyUI answers a health probe. " +
			"The container command is built from the ComfyUI arguments in a fixed order and shown in `command`. " +
			"Import with the deployment name.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   "The deployment name, which is the deployment's key in the Verda API.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Description: "Deployment name: lower-case letters, digits and inner hyphens, at most 63 characters. " +
					"It is part of the endpoint URL and cannot change, so a new name replaces the deployment.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 63),
					stringvalidator.RegexMatches(deploymentNameRE, "must contain only lower-case letters, digits and hyphens, and start and end with a letter or digit"),
				},
			},
			"image": schema.StringAttribute{
				Description: "Container image with a tag or a digest, such as `ghcr.io/org/comfyui:0.3.64-cu128`. " +
					"Untagged images and the `latest` tag are rejected, because they make the running version unknowable.",
				Required:   true,
				Validators: []validator.String{imageReferenceValidator{}},
			},
			"gpu": schema.SingleNestedAttribute{
				Description: "GPU type and count of each replica.",
				Required:    true,
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						Description: "Serverless GPU type, such as `H200` or `B200`. Checked against the API's list of " +
							"serverless compute resources at plan time (see the verda_compute_resources data source).",
						Required:   true,
						Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"count": schema.Int64Attribute{
						Description: "Number of GPUs per replica. Default 1.",
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(1),
						Validators:  []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"spot": schema.BoolAttribute{
				Description: "Run on spot capacity, which is cheaper and can be reclaimed. Default false.",
				Optional:    true,
				Computed:    true,
				Default:     booldefault.StaticBool(false),
			},
			"entrypoint": schema.ListAttribute{
				Description: fmt.Sprintf("Program and leading arguments that start ComfyUI, in exec form (no shell). "+
					"Default `%q`, the path in the official ComfyUI images. The ComfyUI arguments below follow it.", defaultComfyEntrypoint),
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     listdefault.StaticValue(stringListValue(defaultComfyEntrypoint)),
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"port": schema.Int64Attribute{
				Description: fmt.Sprintf("Port ComfyUI listens on (`--port`), which is also the container's exposed port. Default %d.", comfy.DefaultPort),
				Optional:    true,
				Computed:    true,
				Default:     int64default.StaticInt64(comfy.DefaultPort),
				Validators:  []validator.Int64{int64validator.Between(1, 65535)},
			},
			"listen": schema.StringAttribute{
				Description: fmt.Sprintf("Addresses ComfyUI listens on (`--listen`). Default `%s`. With only a loopback "+
					"address the platform health check and the endpoint cannot reach ComfyUI.", defaultComfyListen),
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaultComfyListen),
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.RegexMatches(listenRE, "must be one address or a comma-separated list without spaces, such as 0.0.0.0 or 0.0.0.0,::"),
				},
			},
			"output_directory": schema.StringAttribute{
				Description: fmt.Sprintf("Directory ComfyUI saves outputs to (`--output-directory`). Default `%s`. "+
					"It must lie inside one of `sfs_mounts`, so outputs survive the replica. The empty string leaves "+
					"the flag out, and ComfyUI then writes to the container's own disk, which is lost on restart.", defaultComfyOutputDirectory),
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaultComfyOutputDirectory),
				Validators: []validator.String{stringvalidator.Any(
					stringvalidator.LengthBetween(0, 0),
					stringvalidator.RegexMatches(absolutePathRE, "must be an absolute path"),
				)},
			},
			"extra_model_paths_config": schema.StringAttribute{
				Description: "Path of an `extra_model_paths.yaml` (`--extra-model-paths-config`), usually on the SFS, " +
					"such as `/mnt/sfs/extra_model_paths.yaml`. Unset leaves the flag out.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(absolutePathRE, "must be an absolute path"),
				},
			},
			"extra_args": schema.ListAttribute{
				Description: "Further ComfyUI arguments, appended after the managed flags in the given order, such as " +
					"`[\"--preview-method\", \"auto\"]`. They must not repeat a flag this resource manages " +
					"(--listen, --port, --extra-model-paths-config, --output-directory). Default none.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{})),
			},
			"command": schema.ListAttribute{
				Description: "The complete container command: `entrypoint`, then `--listen`, `--port`, " +
					"`--extra-model-paths-config`, `--output-directory` (each only when set) and `extra_args`. " +
					"A plan shows exactly which flag changes.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"sfs_mounts": schema.ListNestedAttribute{
				Description: "Shared filesystems (SFS) mounted into the container. Default none.",
				Optional:    true,
				Computed:    true,
				Default:     listdefault.StaticValue(types.ListValueMust(types.ObjectType{AttrTypes: sfsMountAttrTypes}, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"volume_id": schema.StringAttribute{
							Description: "ID of a shared-filesystem volume, such as `verda_sfs.models.id`.",
							Required:    true,
							Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"mount_path": schema.StringAttribute{
							Description: fmt.Sprintf("Where the filesystem appears in the container. Default `%s`.", defaultSFSMountPath),
							Optional:    true,
							Computed:    true,
							Default:     stringdefault.StaticString(defaultSFSMountPath),
							Validators:  []validator.String{stringvalidator.RegexMatches(absolutePathRE, "must be an absolute path")},
						},
					},
				},
			},
			"scratch_mounts": schema.ListNestedAttribute{
				Description: "Scratch volumes: local disk that the platform sizes and that is lost when the replica stops. Default none.",
				Optional:    true,
				Computed:    true,
				Default:     listdefault.StaticValue(types.ListValueMust(types.ObjectType{AttrTypes: scratchMountAttrTypes}, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"mount_path": schema.StringAttribute{
							Description: "Where the scratch volume appears in the container, such as `/data`.",
							Required:    true,
							Validators:  []validator.String{stringvalidator.RegexMatches(absolutePathRE, "must be an absolute path")},
						},
					},
				},
			},
			"secret_mounts": schema.ListNestedAttribute{
				Description: "Verda file secrets mounted as files into the container. Default none.",
				Optional:    true,
				Computed:    true,
				Default:     listdefault.StaticValue(types.ListValueMust(types.ObjectType{AttrTypes: secretMountAttrTypes}, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"secret_name": schema.StringAttribute{
							Description: "Name of a Verda file secret.",
							Required:    true,
							Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"mount_path": schema.StringAttribute{
							Description: "Directory in which the secret's files appear.",
							Required:    true,
							Validators:  []validator.String{stringvalidator.RegexMatches(absolutePathRE, "must be an absolute path")},
						},
					},
				},
			},
			"memory_mount": schema.SingleNestedAttribute{
				Description: "A RAM-backed volume at " + memoryMountPath + ", which PyTorch data loaders use for shared memory. Unset adds none.",
				Optional:    true,
				Attributes: map[string]schema.Attribute{
					"size_in_mb": schema.Int64Attribute{
						Description: "Size in MB.",
						Required:    true,
						Validators:  []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"env": schema.MapAttribute{
				Description: "Plain environment variables; their order never matters. Use `secret_env` for tokens and keys: " +
					"plain values are stored in the deployment and in the state. The provider never logs the values. " +
					"Variables that the API adds itself are ignored once this resource manages the deployment. Default none.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				Validators:  []validator.Map{mapvalidator.KeysAre(envNameValidator())},
			},
			"secret_env": schema.MapAttribute{
				Description: "Environment variables set from Verda secrets: variable name to secret name, such as " +
					"`{ HF_TOKEN = \"hf-token\" }`. The secret's value never passes through the provider. Default none.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				Validators: []validator.Map{
					mapvalidator.KeysAre(envNameValidator()),
					mapvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"registry_credentials": schema.StringAttribute{
				Description: "Name of the Verda container registry credentials that pull a private image. Unset pulls anonymously.",
				Optional:    true,
				Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"healthcheck": schema.SingleNestedAttribute{
				Description: "The platform's HTTP health check of the container, which decides when a replica is healthy. " +
					"Default: enabled on `" + defaultHealthcheckPath + "` at `port`.",
				Optional: true,
				Computed: true,
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						Description: "Whether the platform checks the path. Default true.",
						Optional:    true,
						Computed:    true,
						Default:     booldefault.StaticBool(true),
					},
					"path": schema.StringAttribute{
						Description: "HTTP path checked, such as `/` or `" + defaultHealthcheckPath + "`. Default `" + defaultHealthcheckPath + "`.",
						Optional:    true,
						Computed:    true,
						Default:     stringdefault.StaticString(defaultHealthcheckPath),
						Validators:  []validator.String{stringvalidator.RegexMatches(absolutePathRE, "must start with /")},
					},
					"port": schema.Int64Attribute{
						Description: "Port checked. Default: `port`.",
						Optional:    true,
						Computed:    true,
						Validators:  []validator.Int64{int64validator.Between(1, 65535)},
					},
				},
			},
			"scaling": schema.SingleNestedAttribute{
				Description: "Autoscaling. Changes that touch only this block are applied through the scaling endpoint " +
					"and do not restart replicas.",
				Optional: true,
				Computed: true,
				Default:  objectdefault.StaticValue(defaultScalingObject()),
				Attributes: map[string]schema.Attribute{
					"min_replicas": schema.Int64Attribute{
						Description: "Replicas kept running when idle. 0 scales to zero. Default 0.",
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultMinReplicas),
						Validators:  []validator.Int64{int64validator.AtLeast(0)},
					},
					"max_replicas": schema.Int64Attribute{
						Description: fmt.Sprintf("Most replicas at once; at least 1 and at least `min_replicas`. Default %d.", defaultMaxReplicas),
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultMaxReplicas),
						Validators:  []validator.Int64{int64validator.AtLeast(1)},
					},
					"queue_load_threshold": schema.Float64Attribute{
						Description: "Waiting requests per replica that trigger a scale-up; at least 1. Low values scale eagerly. Default 1.",
						Optional:    true,
						Computed:    true,
						Default:     float64default.StaticFloat64(defaultQueueLoadThreshold),
						Validators: []validator.Float64{float64AtLeast{minimum: 1,
							reason: "The API rejects lower values; 1 scales up as soon as one request waits per replica."}},
					},
					"concurrent_requests_per_replica": schema.Int64Attribute{
						Description: "Requests a replica handles at once. Default 1.",
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultConcurrency),
						Validators:  []validator.Int64{int64validator.AtLeast(1)},
					},
					"queue_message_ttl_seconds": schema.Int64Attribute{
						Description: fmt.Sprintf("Seconds a queued request waits before it is dropped. Default %d.", defaultQueueMessageTTL),
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultQueueMessageTTL),
						Validators:  []validator.Int64{int64validator.AtLeast(1)},
					},
					"scale_up_delay_seconds": schema.Int64Attribute{
						Description: fmt.Sprintf("Seconds the load must stay high before scaling up. Default %d.", defaultScaleUpDelay),
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultScaleUpDelay),
						Validators:  []validator.Int64{int64validator.AtLeast(0)},
					},
					"scale_down_delay_seconds": schema.Int64Attribute{
						Description: fmt.Sprintf("Seconds the load must stay low before scaling down. Default %d.", defaultScaleDownDelay),
						Optional:    true,
						Computed:    true,
						Default:     int64default.StaticInt64(defaultScaleDownDelay),
						Validators:  []validator.Int64{int64validator.AtLeast(0)},
					},
				},
			},
			"wait_for_healthy": schema.BoolAttribute{
				Description: "Wait after create and update until the deployment is healthy and the health probe passes. " +
					"Statuses `quota_reached` and `paused`, and `unhealthy` that lasts longer than six poll intervals, " +
					"fail at once. Default true.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"health_probe": schema.SingleNestedAttribute{
				Description: "Checks of ComfyUI itself, run through the deployment endpoint with the provider's " +
					"`inference_api_key` once the platform reports the deployment healthy. They run on create and " +
					"update, never on refresh. A request to a deployment scaled to zero starts a replica.",
				Optional: true,
				Attributes: map[string]schema.Attribute{
					"enabled": schema.BoolAttribute{
						Description: "Run the probe. Default: true when the provider has an inference API key.",
						Optional:    true,
					},
					"path": schema.StringAttribute{
						Description: "Path that returns ComfyUI's system stats. Default `" + defaultProbePath + "`.",
						Optional:    true,
						Computed:    true,
						Default:     stringdefault.StaticString(defaultProbePath),
						Validators:  []validator.String{stringvalidator.RegexMatches(absolutePathRE, "must start with /")},
					},
					"expect_gpu": schema.StringAttribute{
						Description: "Text the GPU device name must contain, such as `H200`. Default: derived from `gpu.type`.",
						Optional:    true,
						Validators:  []validator.String{stringvalidator.LengthAtLeast(1)},
					},
					"required_nodes": schema.ListAttribute{
						Description: "Node class names that must be installed, such as `KSampler`, checked with `/object_info/<class>`.",
						ElementType: types.StringType,
						Optional:    true,
						Validators:  []validator.List{listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
					},
					"required_models": schema.MapAttribute{
						Description: "Model files that must be listed, by folder: `{ checkpoints = [\"sd_xl_base_1.0.safetensors\"] }`, " +
							"checked with `/models/<folder>`.",
						ElementType: stringList,
						Optional:    true,
						Validators:  []validator.Map{mapvalidator.KeysAre(modelFolderValidator{})},
					},
					"smoke_test": schema.BoolAttribute{
						Description: "Queue a prompt that needs no model (an empty image, saved) and check that it succeeds " +
							"and that ComfyUI saves it under `output_directory`. Default false.",
						Optional: true,
						Computed: true,
						Default:  booldefault.StaticBool(false),
					},
				},
			},
			"on_failed_update": schema.StringAttribute{
				Description: "What an update does when the deployment does not become healthy or the probe fails: " +
					"`rollback` restores the previous configuration and keeps it in the state; `keep` leaves the new " +
					"configuration in place. Either way apply reports the error. Default `rollback`.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(onFailedUpdateRollback),
				Validators: []validator.String{stringvalidator.OneOf(onFailedUpdateRollback, onFailedUpdateKeep)},
			},
			"endpoint_base_url": schema.StringAttribute{
				Description: "Base URL of the deployment's inference endpoint.",
				Computed:    true,
			},
			"created_at": schema.StringAttribute{
				Description: "When the deployment was created, as the API reports it (RFC 3339).",
				Computed:    true,
			},
			"container_name": schema.StringAttribute{
				Description: "Name the API gave the container; updates address the container by it.",
				Computed:    true,
			},
			"comfyui_version": schema.StringAttribute{
				Description: "ComfyUI version reported by the last successful health probe.",
				Computed:    true,
			},
			"gpu_name": schema.StringAttribute{
				Description: "Name of the first GPU device in the last successful health probe, such as `cuda:0 NVIDIA H200 : cudaMallocAsync`.",
				Computed:    true,
			},
			"gpu_count": schema.Int64Attribute{
				Description: "Number of devices in the last successful health probe. ComfyUI releases before 2026 list only the device they use.",
				Computed:    true,
			},
			"vram_total_bytes": schema.Int64Attribute{
				Description: "Total memory of the first GPU in bytes, from the last successful health probe.",
				Computed:    true,
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func envNameValidator() validator.String {
	return stringvalidator.RegexMatches(envNameRE, "must be a variable name: letters, digits and underscores, not starting with a digit")
}

// Attribute types of the nested objects, for building values in code.
var (
	gpuAttrTypes = map[string]attr.Type{
		"type":  types.StringType,
		"count": types.Int64Type,
	}
	sfsMountAttrTypes = map[string]attr.Type{
		"volume_id":  types.StringType,
		"mount_path": types.StringType,
	}
	scratchMountAttrTypes = map[string]attr.Type{
		"mount_path": types.StringType,
	}
	secretMountAttrTypes = map[string]attr.Type{
		"secret_name": types.StringType,
		"mount_path":  types.StringType,
	}
	memoryMountAttrTypes = map[string]attr.Type{
		"size_in_mb": types.Int64Type,
	}
	healthcheckAttrTypes = map[string]attr.Type{
		"enabled": types.BoolType,
		"path":    types.StringType,
		"port":    types.Int64Type,
	}
	scalingAttrTypes = map[string]attr.Type{
		"min_replicas":                    types.Int64Type,
		"max_replicas":                    types.Int64Type,
		"queue_load_threshold":            types.Float64Type,
		"concurrent_requests_per_replica": types.Int64Type,
		"queue_message_ttl_seconds":       types.Int64Type,
		"scale_up_delay_seconds":          types.Int64Type,
		"scale_down_delay_seconds":        types.Int64Type,
	}
	healthProbeAttrTypes = map[string]attr.Type{
		"enabled":         types.BoolType,
		"path":            types.StringType,
		"expect_gpu":      types.StringType,
		"required_nodes":  types.ListType{ElemType: types.StringType},
		"required_models": types.MapType{ElemType: types.ListType{ElemType: types.StringType}},
		"smoke_test":      types.BoolType,
	}
)

func defaultScalingObject() types.Object {
	return scalingSpec{
		MinReplicas:        defaultMinReplicas,
		MaxReplicas:        defaultMaxReplicas,
		QueueLoadThreshold: defaultQueueLoadThreshold,
		Concurrency:        defaultConcurrency,
		QueueMessageTTL:    defaultQueueMessageTTL,
		ScaleUpDelay:       defaultScaleUpDelay,
		ScaleDownDelay:     defaultScaleDownDelay,
	}.object()
}

func stringListValue(values []string) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}
