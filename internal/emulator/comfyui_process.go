package emulator

import (
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Defaults of the fake ComfyUI process, matching ComfyUI 0.3.64's command-line defaults and the layout of
// common ComfyUI images.
const (
	comfyDefaultPort        = 8188
	comfyDefaultListen      = "127.0.0.1"
	comfyDefaultBaseDir     = "/app/ComfyUI"
	comfyDefaultVersion     = "0.3.64"
	comfyDefaultUploadBytes = 100 << 20
)

var (
	defaultImageEntrypoint = []string{"python3", "/app/ComfyUI/main.py"}
	defaultImageCmd        = []string{"--listen", "0.0.0.0", "--port", "8188"}
)

// comfyProcess is the fake ComfyUI process of one container, derived from its command line.
type comfyProcess struct {
	// Argv is the container command: entrypoint followed by cmd.
	Argv []string
	Port int
	// Listen contains the addresses from --listen. A bare --listen means "0.0.0.0,::".
	Listen []string
	// StartError is set when ComfyUI would exit at startup, for example on an invalid --port.
	StartError string

	BaseDir                string
	OutputDir              string
	TempDir                string
	InputDir               string
	ExtraModelPathsConfigs []string
	CPU                    bool
	MaxUploadBytes         int64

	Behavior ImageBehavior
	Version  string
}

// containerCommand applies Docker's override rules: a new entrypoint drops the image's default cmd, a new
// cmd alone keeps the image's entrypoint.
func containerCommand(c *container, b ImageBehavior) []string {
	entrypoint := defaultImageEntrypoint
	if b.DefaultEntrypoint != nil {
		entrypoint = b.DefaultEntrypoint
	}
	cmd := defaultImageCmd
	if b.DefaultCmd != nil {
		cmd = b.DefaultCmd
	}
	if o := c.Entrypoint; o != nil && o.Enabled {
		if len(o.Entrypoint) > 0 {
			entrypoint, cmd = o.Entrypoint, o.Cmd
		} else if len(o.Cmd) > 0 {
			cmd = o.Cmd
		}
	}
	return slices.Concat(entrypoint, cmd)
}

// newComfyProcess parses the ComfyUI flags of a container's command. Flags the fake does not model are
// ignored.
func newComfyProcess(c *container, b ImageBehavior) comfyProcess {
	p := comfyProcess{
		Argv:           containerCommand(c, b),
		Port:           comfyDefaultPort,
		Listen:         []string{comfyDefaultListen},
		BaseDir:        comfyDefaultBaseDir,
		MaxUploadBytes: comfyDefaultUploadBytes,
		Behavior:       b,
		Version:        cmpOr(b.ComfyUIVersion, cmpOr(versionFromImageTag(c.Image), comfyDefaultVersion)),
	}
	for _, arg := range p.Argv {
		if strings.HasSuffix(arg, "main.py") {
			p.BaseDir = path.Dir(arg)
			break
		}
	}

	var outputDir, tempDir, inputDir string
	args := p.Argv
	for i := 0; i < len(args); i++ {
		flag, value, hasValue := strings.Cut(args[i], "=")
		if !strings.HasPrefix(flag, "--") {
			continue
		}
		next := func() (string, bool) {
			if hasValue {
				return value, true
			}
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				return args[i], true
			}
			return "", false
		}
		switch flag {
		case "--listen":
			if v, ok := next(); ok {
				p.Listen = strings.Split(v, ",")
			} else {
				p.Listen = []string{"0.0.0.0", "::"}
			}
		case "--port":
			v, ok := next()
			port, err := strconv.Atoi(v)
			switch {
			case !ok:
				p.StartError = "main.py: error: argument --port: expected one argument"
			case err != nil || port < 1 || port > maxPort:
				p.StartError = "main.py: error: argument --port: invalid int value: '" + v + "'"
			default:
				p.Port = port
			}
		case "--output-directory", "--temp-directory", "--input-directory", "--base-directory":
			v, ok := next()
			if !ok {
				p.StartError = "main.py: error: argument " + flag + ": expected one argument"
				continue
			}
			switch flag {
			case "--output-directory":
				outputDir = v
			case "--temp-directory":
				tempDir = v
			case "--input-directory":
				inputDir = v
			default:
				p.BaseDir = v
			}
		case "--extra-model-paths-config":
			// nargs='+': every following value up to the next flag.
			if hasValue {
				p.ExtraModelPathsConfigs = append(p.ExtraModelPathsConfigs, value)
				continue
			}
			start := len(p.ExtraModelPathsConfigs)
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				p.ExtraModelPathsConfigs = append(p.ExtraModelPathsConfigs, args[i])
			}
			if len(p.ExtraModelPathsConfigs) == start {
				p.StartError = "main.py: error: argument --extra-model-paths-config: expected at least one argument"
			}
		case "--max-upload-size":
			if v, ok := next(); ok {
				if mb, err := strconv.ParseFloat(v, 64); err == nil && mb > 0 {
					p.MaxUploadBytes = int64(mb * (1 << 20))
				}
			}
		case "--cpu":
			p.CPU = true
		}
	}

	p.OutputDir = cmpOr(outputDir, path.Join(p.BaseDir, "output"))
	p.InputDir = cmpOr(inputDir, path.Join(p.BaseDir, "input"))
	// ComfyUI puts its temp files in a "temp" folder inside --temp-directory.
	if tempDir != "" {
		p.TempDir = path.Join(tempDir, "temp")
	} else {
		p.TempDir = path.Join(p.BaseDir, "temp")
	}
	return p
}

// listensOutside reports whether ComfyUI binds an address that the platform can reach from outside the
// container. The default 127.0.0.1 is reachable only from inside.
func (p comfyProcess) listensOutside() bool {
	return slices.ContainsFunc(p.Listen, func(addr string) bool {
		addr = strings.TrimSpace(addr)
		return addr == "0.0.0.0" || addr == "::" || addr == "[::]"
	})
}

// reachableOn reports whether a request from outside the container to port reaches ComfyUI.
func (p comfyProcess) reachableOn(port int) bool {
	return p.StartError == "" && p.listensOutside() && port == p.Port
}

// servesHealthPath reports whether ComfyUI returns 200 for a GET of urlPath without needing request
// data: the index page and the read-only API routes, with or without the /api prefix.
func (p comfyProcess) servesHealthPath(urlPath string) bool {
	urlPath, _, _ = strings.Cut(urlPath, "?")
	if urlPath == "/" {
		return true
	}
	if rest, ok := strings.CutPrefix(urlPath, "/api"); ok && strings.HasPrefix(rest, "/") {
		urlPath = rest
	}
	segments := strings.Split(strings.Trim(urlPath, "/"), "/")
	switch {
	case len(segments) == 1:
		return slices.Contains([]string{"system_stats", "prompt", "queue", "history", "features", "models", "object_info", "embeddings"}, segments[0])
	case len(segments) == 2 && (segments[0] == "history" || segments[0] == "object_info"):
		return true
	case len(segments) == 2 && segments[0] == "models":
		return slices.Contains(p.modelFolders(), segments[1])
	}
	return false
}

// isComfyUIVersionAtLeast compares dotted version numbers numerically; parts that are not numbers count as 0.
func isComfyUIVersionAtLeast(version, minimum string) bool {
	parse := func(v string) []int {
		var out []int
		for _, part := range strings.Split(v, ".") {
			n, _ := strconv.Atoi(strings.TrimLeftFunc(part, func(r rune) bool { return r == 'v' }))
			out = append(out, n)
		}
		return out
	}
	a, b := parse(version), parse(minimum)
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x > y
		}
	}
	return true
}

// is2026 reports whether the process reports the 2026 /system_stats shape (ComfyUI 0.10 and later).
func (p comfyProcess) is2026() bool { return isComfyUIVersionAtLeast(p.Version, "0.10") }

// Model folders of ComfyUI 0.3.64 (folder_paths.py), and those added by 2026 releases.
var (
	comfyModelFolders = []string{
		"checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision",
		"style_models", "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models",
		"custom_nodes", "hypernetworks", "photomaker", "classifiers", "model_patches", "audio_encoders",
	}
	comfyModelFolders2026 = []string{
		"latent_upscale_models", "background_removal", "frame_interpolation", "geometry_estimation",
		"optical_flow", "detection",
	}
	// comfyLegacyFolders are older directory names that ComfyUI still scans for a folder.
	comfyLegacyFolders = map[string][]string{
		"text_encoders":    {"clip"},
		"diffusion_models": {"unet"},
		"controlnet":       {"t2i_adapter"},
	}
	comfyModelExtensions = []string{".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft"}
)

func (p comfyProcess) modelFolders() []string {
	if p.is2026() {
		return slices.Concat(comfyModelFolders, comfyModelFolders2026)
	}
	return comfyModelFolders
}

// imageTagVersion matches a tag that starts with a dotted version, such as
// "0.3.65" in "ghcr.io/org/comfyui:0.3.65-cu128".
var imageTagVersion = regexp.MustCompile(`^v?(\d+\.\d+(?:\.\d+)?)(?:[-_+].*)?$`)

// versionFromImageTag returns the ComfyUI version an image's tag names, or "".
// Images tagged that way usually package that ComfyUI release, so the fake
// reports it unless an image behaviour sets another version.
func versionFromImageTag(image string) string {
	ref, _, _ := strings.Cut(image, "@")
	slash := strings.LastIndex(ref, "/")
	colon := strings.LastIndex(ref, ":")
	if colon <= slash {
		return ""
	}
	m := imageTagVersion.FindStringSubmatch(ref[colon+1:])
	if m == nil {
		return ""
	}
	return m[1]
}
