package emulator

import (
	"slices"
	"strings"
)

// nodeInput is one input of a node class. Options, when set, make it a combo; ModelFolder makes it a
// combo of the files in that model folder.
type nodeInput struct {
	Name        string
	Type        string
	Optional    bool
	Options     []string
	ModelFolder string
	// InputFolder makes the input a combo of the files in ComfyUI's input directory.
	InputFolder bool
	Default     any
	Min, Max    *float64
	Multiline   bool
}

// nodeClass describes a node class as /object_info reports it and as prompt validation uses it.
type nodeClass struct {
	Name        string
	DisplayName string
	Category    string
	Description string
	Inputs      []nodeInput
	Outputs     []string
	OutputNames []string
	OutputNode  bool
	Module      string
}

func num(v float64) *float64 { return &v }

var (
	samplerNames   = []string{"euler", "euler_ancestral", "heun", "dpm_2", "dpm_2_ancestral", "lms", "dpmpp_2m", "dpmpp_sde", "dpmpp_2m_sde", "ddim", "uni_pc"}
	schedulerNames = []string{"simple", "sgm_uniform", "karras", "exponential", "ddim_uniform", "beta", "normal"}
	upscaleMethods = []string{"nearest-exact", "bilinear", "area", "bicubic", "lanczos"}
	cropMethods    = []string{"disabled", "center"}
	clipTypes      = []string{"stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart", "cosmos", "lumina2", "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image", "hunyuan_image"}
	weightDTypes   = []string{"default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"}
)

// coreNodeClasses is a subset of ComfyUI 0.3.64's built-in nodes (nodes.py), with their real input names,
// types and ranges, enough for common text-to-image workflows and smoke tests.
var coreNodeClasses = []nodeClass{
	{Name: "CheckpointLoaderSimple", DisplayName: "Load Checkpoint", Category: "loaders",
		Description: "Loads a diffusion model checkpoint, diffusion models are used to denoise latents.",
		Inputs:      []nodeInput{{Name: "ckpt_name", ModelFolder: "checkpoints"}},
		Outputs:     []string{"MODEL", "CLIP", "VAE"}},
	{Name: "CLIPTextEncode", DisplayName: "CLIP Text Encode (Prompt)", Category: "conditioning",
		Inputs:  []nodeInput{{Name: "text", Type: "STRING", Multiline: true}, {Name: "clip", Type: "CLIP"}},
		Outputs: []string{"CONDITIONING"}},
	{Name: "KSampler", DisplayName: "KSampler", Category: "sampling",
		Inputs: []nodeInput{
			{Name: "model", Type: "MODEL"},
			{Name: "seed", Type: "INT", Default: 0, Min: num(0), Max: num(18446744073709551615)},
			{Name: "steps", Type: "INT", Default: 20, Min: num(1), Max: num(10000)},
			{Name: "cfg", Type: "FLOAT", Default: 8.0, Min: num(0), Max: num(100)},
			{Name: "sampler_name", Options: samplerNames},
			{Name: "scheduler", Options: schedulerNames},
			{Name: "positive", Type: "CONDITIONING"},
			{Name: "negative", Type: "CONDITIONING"},
			{Name: "latent_image", Type: "LATENT"},
			{Name: "denoise", Type: "FLOAT", Default: 1.0, Min: num(0), Max: num(1)},
		},
		Outputs: []string{"LATENT"}},
	{Name: "VAEDecode", DisplayName: "VAE Decode", Category: "latent",
		Inputs:  []nodeInput{{Name: "samples", Type: "LATENT"}, {Name: "vae", Type: "VAE"}},
		Outputs: []string{"IMAGE"}},
	{Name: "VAEEncode", DisplayName: "VAE Encode", Category: "latent",
		Inputs:  []nodeInput{{Name: "pixels", Type: "IMAGE"}, {Name: "vae", Type: "VAE"}},
		Outputs: []string{"LATENT"}},
	{Name: "VAELoader", DisplayName: "Load VAE", Category: "loaders",
		Inputs:  []nodeInput{{Name: "vae_name", ModelFolder: "vae"}},
		Outputs: []string{"VAE"}},
	{Name: "EmptyLatentImage", DisplayName: "Empty Latent Image", Category: "latent",
		Inputs: []nodeInput{
			{Name: "width", Type: "INT", Default: 512, Min: num(16), Max: num(16384)},
			{Name: "height", Type: "INT", Default: 512, Min: num(16), Max: num(16384)},
			{Name: "batch_size", Type: "INT", Default: 1, Min: num(1), Max: num(4096)},
		},
		Outputs: []string{"LATENT"}},
	{Name: "EmptyImage", DisplayName: "EmptyImage", Category: "image",
		Inputs: []nodeInput{
			{Name: "width", Type: "INT", Default: 512, Min: num(1), Max: num(16384)},
			{Name: "height", Type: "INT", Default: 512, Min: num(1), Max: num(16384)},
			{Name: "batch_size", Type: "INT", Default: 1, Min: num(1), Max: num(4096)},
			{Name: "color", Type: "INT", Default: 0, Min: num(0), Max: num(0xFFFFFF)},
		},
		Outputs: []string{"IMAGE"}},
	{Name: "SaveImage", DisplayName: "Save Image", Category: "image", OutputNode: true,
		Description: "Saves the input images to your ComfyUI output directory.",
		Inputs:      []nodeInput{{Name: "images", Type: "IMAGE"}, {Name: "filename_prefix", Type: "STRING", Default: "ComfyUI"}}},
	{Name: "PreviewImage", DisplayName: "Preview Image", Category: "image", OutputNode: true,
		Inputs: []nodeInput{{Name: "images", Type: "IMAGE"}}},
	{Name: "LoadImage", DisplayName: "Load Image", Category: "image",
		Inputs:  []nodeInput{{Name: "image", InputFolder: true}},
		Outputs: []string{"IMAGE", "MASK"}},
	{Name: "LoraLoader", DisplayName: "Load LoRA", Category: "loaders",
		Inputs: []nodeInput{
			{Name: "model", Type: "MODEL"}, {Name: "clip", Type: "CLIP"}, {Name: "lora_name", ModelFolder: "loras"},
			{Name: "strength_model", Type: "FLOAT", Default: 1.0, Min: num(-100), Max: num(100)},
			{Name: "strength_clip", Type: "FLOAT", Default: 1.0, Min: num(-100), Max: num(100)},
		},
		Outputs: []string{"MODEL", "CLIP"}},
	{Name: "LoraLoaderModelOnly", DisplayName: "LoraLoaderModelOnly", Category: "loaders",
		Inputs: []nodeInput{
			{Name: "model", Type: "MODEL"}, {Name: "lora_name", ModelFolder: "loras"},
			{Name: "strength_model", Type: "FLOAT", Default: 1.0, Min: num(-100), Max: num(100)},
		},
		Outputs: []string{"MODEL"}},
	{Name: "UNETLoader", DisplayName: "Load Diffusion Model", Category: "advanced/loaders",
		Inputs:  []nodeInput{{Name: "unet_name", ModelFolder: "diffusion_models"}, {Name: "weight_dtype", Options: weightDTypes}},
		Outputs: []string{"MODEL"}},
	{Name: "CLIPLoader", DisplayName: "Load CLIP", Category: "advanced/loaders",
		Inputs:  []nodeInput{{Name: "clip_name", ModelFolder: "text_encoders"}, {Name: "type", Options: clipTypes}},
		Outputs: []string{"CLIP"}},
	{Name: "DualCLIPLoader", DisplayName: "DualCLIPLoader", Category: "advanced/loaders",
		Inputs: []nodeInput{
			{Name: "clip_name1", ModelFolder: "text_encoders"}, {Name: "clip_name2", ModelFolder: "text_encoders"},
			{Name: "type", Options: []string{"sdxl", "sd3", "flux", "hunyuan_video", "hidream"}},
		},
		Outputs: []string{"CLIP"}},
	{Name: "CLIPVisionLoader", DisplayName: "Load CLIP Vision", Category: "loaders",
		Inputs:  []nodeInput{{Name: "clip_name", ModelFolder: "clip_vision"}},
		Outputs: []string{"CLIP_VISION"}},
	{Name: "CLIPSetLastLayer", DisplayName: "CLIP Set Last Layer", Category: "conditioning",
		Inputs:  []nodeInput{{Name: "clip", Type: "CLIP"}, {Name: "stop_at_clip_layer", Type: "INT", Default: -1, Min: num(-24), Max: num(-1)}},
		Outputs: []string{"CLIP"}},
	{Name: "ControlNetLoader", DisplayName: "Load ControlNet Model", Category: "loaders",
		Inputs:  []nodeInput{{Name: "control_net_name", ModelFolder: "controlnet"}},
		Outputs: []string{"CONTROL_NET"}},
	{Name: "UpscaleModelLoader", DisplayName: "Load Upscale Model", Category: "loaders", Module: "comfy_extras.nodes_upscale_model",
		Inputs:  []nodeInput{{Name: "model_name", ModelFolder: "upscale_models"}},
		Outputs: []string{"UPSCALE_MODEL"}},
	{Name: "ConditioningCombine", DisplayName: "Conditioning (Combine)", Category: "conditioning",
		Inputs:  []nodeInput{{Name: "conditioning_1", Type: "CONDITIONING"}, {Name: "conditioning_2", Type: "CONDITIONING"}},
		Outputs: []string{"CONDITIONING"}},
	{Name: "LatentUpscale", DisplayName: "Upscale Latent", Category: "latent",
		Inputs: []nodeInput{
			{Name: "samples", Type: "LATENT"}, {Name: "upscale_method", Options: upscaleMethods},
			{Name: "width", Type: "INT", Default: 512, Min: num(0), Max: num(16384)},
			{Name: "height", Type: "INT", Default: 512, Min: num(0), Max: num(16384)},
			{Name: "crop", Options: cropMethods},
		},
		Outputs: []string{"LATENT"}},
	{Name: "ImageScale", DisplayName: "Upscale Image", Category: "image/upscaling",
		Inputs: []nodeInput{
			{Name: "image", Type: "IMAGE"}, {Name: "upscale_method", Options: upscaleMethods},
			{Name: "width", Type: "INT", Default: 512, Min: num(0), Max: num(16384)},
			{Name: "height", Type: "INT", Default: 512, Min: num(0), Max: num(16384)},
			{Name: "crop", Options: cropMethods},
		},
		Outputs: []string{"IMAGE"}},
	{Name: "ImageInvert", DisplayName: "Invert Image", Category: "image",
		Inputs:  []nodeInput{{Name: "image", Type: "IMAGE"}},
		Outputs: []string{"IMAGE"}},
}

// availableNodeClasses lists the classes an image provides: the core classes minus MissingNodes, plus
// ExtraNodes. Extra classes accept any inputs; one whose name starts with Save or Preview is an output node.
func availableNodeClasses(b ImageBehavior) []nodeClass {
	var out []nodeClass
	for _, c := range coreNodeClasses {
		if !slices.Contains(b.MissingNodes, c.Name) {
			out = append(out, c)
		}
	}
	for _, name := range b.ExtraNodes {
		if slices.ContainsFunc(out, func(c nodeClass) bool { return c.Name == name }) {
			continue
		}
		out = append(out, nodeClass{
			Name:        name,
			DisplayName: name,
			Category:    "custom",
			OutputNode:  strings.HasPrefix(name, "Save") || strings.HasPrefix(name, "Preview"),
			Module:      "custom_nodes." + name,
		})
	}
	return out
}

func findNodeClass(classes []nodeClass, name string) (nodeClass, bool) {
	for _, c := range classes {
		if c.Name == name {
			return c, true
		}
	}
	return nodeClass{}, false
}

// isCustom reports whether the class comes from ImageBehavior.ExtraNodes, whose inputs are not modelled.
func (c nodeClass) isCustom() bool { return strings.HasPrefix(c.Module, "custom_nodes.") }

func (c nodeClass) module() string { return cmpOr(c.Module, "nodes") }

func (c nodeClass) outputNames() []string {
	if c.OutputNames != nil {
		return c.OutputNames
	}
	return c.Outputs
}

// objectInfo renders the /object_info entry of the class. choices returns the current options of
// model-folder and input-folder combos.
func (c nodeClass) objectInfo(choices func(in nodeInput) []string) map[string]any {
	required := map[string]any{}
	optional := map[string]any{}
	var requiredOrder, optionalOrder []string
	for _, in := range c.Inputs {
		var spec []any
		switch {
		case in.ModelFolder != "" || in.InputFolder:
			spec = []any{nonNil(choices(in)), map[string]any{}}
		case in.Options != nil:
			spec = []any{in.Options, map[string]any{}}
		default:
			opts := map[string]any{}
			if in.Default != nil {
				opts["default"] = in.Default
			}
			if in.Min != nil {
				opts["min"] = *in.Min
			}
			if in.Max != nil {
				opts["max"] = *in.Max
			}
			if in.Multiline {
				opts["multiline"] = true
			}
			spec = []any{in.Type, opts}
		}
		if in.Optional {
			optional[in.Name] = spec
			optionalOrder = append(optionalOrder, in.Name)
		} else {
			required[in.Name] = spec
			requiredOrder = append(requiredOrder, in.Name)
		}
	}
	input := map[string]any{"required": required}
	inputOrder := map[string]any{"required": nonNil(requiredOrder)}
	if len(optional) > 0 {
		input["optional"] = optional
		inputOrder["optional"] = optionalOrder
	}
	outputs := nonNil(c.Outputs)
	isList := make([]bool, len(outputs))
	return map[string]any{
		"input":          input,
		"input_order":    inputOrder,
		"output":         outputs,
		"output_is_list": isList,
		"output_name":    nonNil(c.outputNames()),
		"name":           c.Name,
		"display_name":   c.DisplayName,
		"description":    c.Description,
		"python_module":  c.module(),
		"category":       c.Category,
		"output_node":    c.OutputNode,
		"deprecated":     false,
		"experimental":   false,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
