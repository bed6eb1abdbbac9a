package emulator

import (
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The fake ComfyUI is served under each deployment's endpoint_base_url, /inference/<deployment name>. It is
// built from the deployment's spec: the container command decides the port, listen address and folders,
// the compute resource decides the GPU, and shared mounts provide models and may receive outputs.
//
// NOTE: extra_model_paths.yaml is not parsed. A shared mount provides models when
// --extra-model-paths-config points inside it, and the models are then read from <mount>/models/<folder>/,
// the layout of the "comfyui" section in ComfyUI's extra_model_paths.yaml.example.

// handleInference serves the fake ComfyUI of one deployment, or the platform's error when the deployment
// cannot serve: 401 without the inference key, 404 for an unknown deployment, 503 while not healthy and
// 502 when nothing listens on the exposed port.
func (e *Emulator) handleInference(w http.ResponseWriter, r *http.Request) {
	serveAPI(func(r *http.Request) (response, *apiError) {
		if err := e.checkInferenceKey(r); err != nil {
			return errorResponse(err)
		}
		var body []byte
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBodyBytes))
			if err != nil {
				return errorResponse(badRequest("reading the request body failed: %v", err))
			}
			body = data
		}
		name := r.PathValue("name")
		subPath := "/" + r.PathValue("path")

		var resp response
		apiErr := e.do(func(st *state) *apiError {
			d, ok := st.deployments[name]
			if !ok {
				return notFound("container deployment %q not found", name)
			}
			status := st.observeDeployment(d, false)
			if status != statusHealthy && status != statusDegraded {
				return newAPIError(http.StatusServiceUnavailable, codeServiceUnavailable,
					"container deployment %q is not ready to serve requests: its status is %s", name, status)
			}
			c := d.Containers[0]
			proc := newComfyProcess(c, st.images[c.Image])
			if !proc.reachableOn(c.ExposedPort) {
				return newAPIError(http.StatusBadGateway, codeServerError,
					"container %q of deployment %q does not accept connections on exposed_port %d: ComfyUI listens on %s port %d",
					c.Name, name, c.ExposedPort, strings.Join(proc.Listen, ","), proc.Port)
			}
			ctx := &comfyContext{st: st, d: d, c: c, proc: proc, classes: availableNodeClasses(proc.Behavior)}
			var err *apiError
			resp, err = ctx.serve(r.Method, subPath, r.URL.Query(), body)
			return err
		})
		if apiErr != nil {
			return errorResponse(apiErr)
		}
		return resp, nil
	}).ServeHTTP(w, r)
}

func (e *Emulator) checkInferenceKey(r *http.Request) *apiError {
	scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(key)), []byte(e.opts.InferenceKey)) != 1 {
		return unauthorized("missing or invalid inference API key; send Authorization: Bearer <inference key>")
	}
	return nil
}

// comfyContext is one request to the fake ComfyUI of container c, with the state locked.
type comfyContext struct {
	st      *state
	d       *deployment
	c       *container
	proc    comfyProcess
	classes []nodeClass
}

// serve dispatches a ComfyUI route. Every route except the index page is also served under /api.
func (ctx *comfyContext) serve(method, urlPath string, query url.Values, body []byte) (response, *apiError) {
	if urlPath == "/" {
		if method != http.MethodGet && method != http.MethodHead {
			return errorResponse(comfyMethodNotAllowed(method, urlPath, http.MethodGet))
		}
		return rawResponse(http.StatusOK, contentTypeHTML, []byte(comfyIndexHTML))
	}
	if rest, ok := strings.CutPrefix(urlPath, "/api"); ok && strings.HasPrefix(rest, "/") {
		urlPath = rest
	}
	segments := strings.Split(strings.Trim(urlPath, "/"), "/")
	route := segments[0]
	arg := ""
	if len(segments) == 2 {
		arg = segments[1]
	} else if len(segments) > 2 {
		return errorResponse(notFound("ComfyUI has no route %s", urlPath))
	}

	type routeKey struct {
		method, route string
		hasArg        bool
	}
	handlers := map[routeKey]func() (response, *apiError){
		{http.MethodGet, "system_stats", false}: ctx.systemStats,
		{http.MethodGet, "prompt", false}:       ctx.promptInfo,
		{http.MethodPost, "prompt", false}:      func() (response, *apiError) { return ctx.submitPrompt(body) },
		{http.MethodGet, "queue", false}:        ctx.queue,
		{http.MethodPost, "queue", false}:       ctx.emptyOK,
		{http.MethodPost, "interrupt", false}:   ctx.emptyOK,
		{http.MethodPost, "free", false}:        ctx.emptyOK,
		{http.MethodGet, "history", false}:      func() (response, *apiError) { return ctx.history(query) },
		{http.MethodPost, "history", false}:     func() (response, *apiError) { return ctx.changeHistory(body) },
		{http.MethodGet, "history", true}:       func() (response, *apiError) { return ctx.historyEntry(arg) },
		{http.MethodGet, "features", false}:     ctx.features,
		{http.MethodGet, "models", false}:       ctx.modelFolderList,
		{http.MethodGet, "models", true}:        func() (response, *apiError) { return ctx.modelList(arg) },
		{http.MethodGet, "object_info", false}:  ctx.objectInfoAll,
		{http.MethodGet, "object_info", true}:   func() (response, *apiError) { return ctx.objectInfoOne(arg) },
		{http.MethodGet, "embeddings", false}:   ctx.embeddings,
		{http.MethodGet, "view", false}:         func() (response, *apiError) { return ctx.view(query) },
	}
	lookupMethod := method
	if method == http.MethodHead {
		lookupMethod = http.MethodGet
	}
	if h, ok := handlers[routeKey{lookupMethod, route, arg != ""}]; ok {
		return h()
	}
	var allowed []string
	for key := range handlers {
		if key.route == route && key.hasArg == (arg != "") {
			allowed = append(allowed, key.method)
		}
	}
	if len(allowed) > 0 {
		slices.Sort(allowed)
		return errorResponse(comfyMethodNotAllowed(method, urlPath, allowed...))
	}
	return errorResponse(notFound("ComfyUI has no route %s", urlPath))
}

func comfyMethodNotAllowed(method, urlPath string, allowed ...string) *apiError {
	err := newAPIError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "method %s is not allowed on %s", method, urlPath)
	err.Header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
	return err
}

const comfyIndexHTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>ComfyUI</title></head>
<body><div id="vue-app"></div></body>
</html>
`

func (ctx *comfyContext) emptyOK() (response, *apiError) { return emptyResponse(http.StatusOK) }

// promptInfo implements GET /prompt. Prompts run at once, so the queue is always empty.
func (ctx *comfyContext) promptInfo() (response, *apiError) {
	return jsonResponse(http.StatusOK, map[string]any{"exec_info": map[string]any{"queue_remaining": 0}})
}

// queue implements GET /queue.
func (ctx *comfyContext) queue() (response, *apiError) {
	return jsonResponse(http.StatusOK, map[string]any{"queue_running": []any{}, "queue_pending": []any{}})
}

// features implements GET /features.
func (ctx *comfyContext) features() (response, *apiError) {
	return jsonResponse(http.StatusOK, map[string]any{"supports_preview_metadata": true, "max_upload_size": ctx.proc.MaxUploadBytes})
}

// ---- /system_stats ----

type comfySystemStats struct {
	System  comfySystem   `json:"system"`
	Devices []comfyDevice `json:"devices"`
}

type comfySystem struct {
	OS                        string                `json:"os"`
	RAMTotal                  int64                 `json:"ram_total"`
	RAMFree                   int64                 `json:"ram_free"`
	ComfyUIVersion            string                `json:"comfyui_version"`
	RequiredFrontendVersion   *string               `json:"required_frontend_version,omitempty"`
	InstalledTemplatesVersion *string               `json:"installed_templates_version,omitempty"`
	RequiredTemplatesVersion  *string               `json:"required_templates_version,omitempty"`
	ComfyPackageVersions      []comfyPackageVersion `json:"comfy_package_versions,omitempty"`
	PythonVersion             string                `json:"python_version"`
	PytorchVersion            string                `json:"pytorch_version"`
	EmbeddedPython            bool                  `json:"embedded_python"`
	DeployEnvironment         string                `json:"deploy_environment,omitempty"`
	Argv                      []string              `json:"argv"`
}

type comfyPackageVersion struct {
	Name      string `json:"name"`
	Installed string `json:"installed"`
	Required  string `json:"required"`
}

type comfyDevice struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	Index          *int   `json:"index"`
	VRAMTotal      int64  `json:"vram_total"`
	VRAMFree       int64  `json:"vram_free"`
	TorchVRAMTotal int64  `json:"torch_vram_total"`
	TorchVRAMFree  int64  `json:"torch_vram_free"`
}

// Illustrative host figures. ComfyUI 0.3.x reports host RAM (it is not cgroup-aware); 2026 builds report
// the container's memory limit.
const (
	hostRAMBytes        = 2164003487744
	hostRAMFreeFraction = 0.97
	idleVRAMUsedBytes   = 547356672
	gigabyte            = 1_000_000_000
)

// systemStats implements GET /system_stats in the shape of the image's ComfyUI version.
func (ctx *comfyContext) systemStats() (response, *apiError) {
	p := ctx.proc
	gpu, ok := findGPUModel(ctx.d.Compute.Name)
	if !ok {
		gpu = gpuModel{Name: ctx.d.Compute.Name, TorchName: "NVIDIA " + ctx.d.Compute.Name, VRAMTotalBytes: 80 * gigabyte, RAMPerGPUGB: 120}
	}

	sys := comfySystem{
		OS:             "posix",
		RAMTotal:       hostRAMBytes,
		ComfyUIVersion: p.Version,
		PythonVersion:  "3.12.3 (main, Aug 14 2025, 17:47:21) [GCC 13.3.0]",
		PytorchVersion: "2.8.0+cu128",
		Argv:           nonNil(slices.Clone(p.Argv)),
	}
	if isComfyUIVersionAtLeast(p.Version, "0.3.46") {
		sys.RequiredFrontendVersion = ptr("1.27.10")
	}
	if isComfyUIVersionAtLeast(p.Version, "0.3.61") {
		sys.InstalledTemplatesVersion = ptr("0.1.95")
		sys.RequiredTemplatesVersion = ptr("0.1.95")
	}
	gpuCount := 1
	if p.is2026() {
		sys.OS = "linux"
		sys.RAMTotal = int64(gpu.RAMPerGPUGB*max(ctx.d.Compute.Size, 1)) * gigabyte
		sys.PytorchVersion = "2.10.0+cu130"
		sys.RequiredFrontendVersion = ptr("1.33.9")
		sys.InstalledTemplatesVersion = ptr("0.7.25")
		sys.RequiredTemplatesVersion = ptr("0.7.25")
		sys.ComfyPackageVersions = []comfyPackageVersion{
			{Name: "comfyui-frontend-package", Installed: "1.33.9", Required: "1.33.9"},
			{Name: "comfyui-workflow-templates", Installed: "0.7.25", Required: "0.7.25"},
			{Name: "comfyui-embedded-docs", Installed: "0.3.1", Required: "0.3.1"},
		}
		sys.DeployEnvironment = "local-git"
		gpuCount = max(ctx.d.Compute.Size, 1)
	}
	sys.RAMFree = int64(float64(sys.RAMTotal) * hostRAMFreeFraction)

	var devices []comfyDevice
	if p.CPU {
		devices = []comfyDevice{{Name: "cpu", Type: "cpu", VRAMTotal: sys.RAMTotal, VRAMFree: sys.RAMFree, TorchVRAMTotal: sys.RAMTotal, TorchVRAMFree: sys.RAMFree}}
	} else {
		for i := range gpuCount {
			devices = append(devices, comfyDevice{
				Name:      fmt.Sprintf("cuda:%d %s : cudaMallocAsync", i, gpu.TorchName),
				Type:      "cuda",
				Index:     ptr(i),
				VRAMTotal: gpu.VRAMTotalBytes,
				VRAMFree:  gpu.VRAMTotalBytes - idleVRAMUsedBytes,
			})
		}
	}
	return jsonResponse(http.StatusOK, comfySystemStats{System: sys, Devices: devices})
}

func ptr[T any](v T) *T { return &v }

// ---- /object_info ----

// objectInfoAll implements GET /object_info.
func (ctx *comfyContext) objectInfoAll() (response, *apiError) {
	out := map[string]any{}
	for _, c := range ctx.classes {
		out[c.Name] = c.objectInfo(ctx.choices)
	}
	return jsonResponse(http.StatusOK, out)
}

// objectInfoOne implements GET /object_info/{class}: {} with 200 for a class that is not installed.
func (ctx *comfyContext) objectInfoOne(name string) (response, *apiError) {
	c, ok := findNodeClass(ctx.classes, name)
	if !ok {
		return jsonResponse(http.StatusOK, map[string]any{})
	}
	return jsonResponse(http.StatusOK, map[string]any{c.Name: c.objectInfo(ctx.choices)})
}
