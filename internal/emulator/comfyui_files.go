package emulator

import (
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// ---- files: shared mounts and container-local disk ----

// resolveMount finds the shared volume that contains an absolute container path, using the longest matching
// mount path.
func (ctx *comfyContext) resolveMount(absPath string) (*volume, string, bool) {
	absPath = path.Clean(absPath)
	var best *volumeMount
	for i, m := range ctx.c.VolumeMounts {
		if m.Type != mountTypeShared {
			continue
		}
		mountPath := path.Clean(m.MountPath)
		if absPath == mountPath || strings.HasPrefix(absPath, mountPath+"/") {
			if best == nil || len(mountPath) > len(path.Clean(best.MountPath)) {
				best = &ctx.c.VolumeMounts[i]
			}
		}
	}
	if best == nil {
		return nil, "", false
	}
	v, ok := ctx.st.volumes[best.VolumeID]
	if !ok || v.inTrash() {
		return nil, "", false
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(absPath, path.Clean(best.MountPath)), "/")
	return v, rel, true
}

// listFiles returns the files below an absolute directory, keyed by path relative to it.
func (ctx *comfyContext) listFiles(absDir string) map[string]*storedFile {
	out := map[string]*storedFile{}
	if v, rel, ok := ctx.resolveMount(absDir); ok {
		prefix := ""
		if rel != "" {
			prefix = rel + "/"
		}
		for p, f := range v.Files {
			if name, found := strings.CutPrefix(p, prefix); found && name != "" {
				out[name] = f
			}
		}
		return out
	}
	prefix := path.Clean(absDir) + "/"
	for p, f := range ctx.d.Comfy.LocalFiles {
		if name, found := strings.CutPrefix(p, prefix); found {
			out[name] = f
		}
	}
	return out
}

func (ctx *comfyContext) readFile(absPath string) (*storedFile, bool) {
	if v, rel, ok := ctx.resolveMount(absPath); ok {
		f, found := v.Files[rel]
		return f, found
	}
	f, found := ctx.d.Comfy.LocalFiles[path.Clean(absPath)]
	return f, found
}

// writeFile writes into the shared volume holding absPath, or else onto the container's own disk.
func (ctx *comfyContext) writeFile(absPath string, content []byte) {
	file := &storedFile{Size: int64(len(content)), Content: content}
	if v, rel, ok := ctx.resolveMount(absPath); ok && rel != "" {
		if v.Files == nil {
			v.Files = map[string]*storedFile{}
		}
		v.Files[rel] = file
	} else {
		if ctx.d.Comfy.LocalFiles == nil {
			ctx.d.Comfy.LocalFiles = map[string]*storedFile{}
		}
		ctx.d.Comfy.LocalFiles[path.Clean(absPath)] = file
	}
	ctx.st.touch()
}

// ---- models ----

// modelRoots are the <mount>/models directories of shared mounts that --extra-model-paths-config points into.
func (ctx *comfyContext) modelRoots() []string {
	var roots []string
	for _, m := range ctx.c.VolumeMounts {
		if m.Type != mountTypeShared {
			continue
		}
		mountPath := path.Clean(m.MountPath)
		for _, cfg := range ctx.proc.ExtraModelPathsConfigs {
			if strings.HasPrefix(path.Clean(cfg), mountPath+"/") && !slices.Contains(roots, mountPath+"/models") {
				roots = append(roots, mountPath+"/models")
			}
		}
	}
	return roots
}

// customModelFolders are folders under the model roots that are not standard ComfyUI folders. ComfyUI
// lists such keys when extra_model_paths.yaml names them.
func (ctx *comfyContext) customModelFolders() []string {
	standard := ctx.proc.modelFolders()
	var out []string
	for _, root := range ctx.modelRoots() {
		for name := range ctx.listFiles(root) {
			folder, _, nested := strings.Cut(name, "/")
			if !nested || slices.Contains(standard, folder) || slices.Contains(out, folder) || isLegacyFolder(folder) {
				continue
			}
			out = append(out, folder)
		}
	}
	slices.Sort(out)
	return out
}

func isLegacyFolder(name string) bool {
	for _, legacy := range comfyLegacyFolders {
		if slices.Contains(legacy, name) {
			return true
		}
	}
	return false
}

// modelFiles lists the files of a model folder, sorted, filtered by ComfyUI's extensions for that folder.
func (ctx *comfyContext) modelFiles(folder string) []string {
	dirs := append([]string{folder}, comfyLegacyFolders[folder]...)
	seen := map[string]bool{}
	for _, root := range ctx.modelRoots() {
		for _, dir := range dirs {
			for name := range ctx.listFiles(root + "/" + dir) {
				if acceptsModelFile(folder, name) {
					seen[name] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

func acceptsModelFile(folder, name string) bool {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case folder == "configs":
		return ext == ".yaml"
	case folder == "custom_nodes" || folder == "diffusers":
		return true
	case slices.Contains(comfyModelFolders, folder) || slices.Contains(comfyModelFolders2026, folder):
		return slices.Contains(comfyModelExtensions, ext)
	}
	return true
}

// modelFolderList implements GET /models.
func (ctx *comfyContext) modelFolderList() (response, *apiError) {
	return jsonResponse(http.StatusOK, slices.Concat(ctx.proc.modelFolders(), ctx.customModelFolders()))
}

// modelList implements GET /models/{folder}: 404 for a folder ComfyUI does not know.
func (ctx *comfyContext) modelList(folder string) (response, *apiError) {
	if !slices.Contains(ctx.proc.modelFolders(), folder) && !slices.Contains(ctx.customModelFolders(), folder) {
		return errorResponse(notFound("ComfyUI has no model folder %q", folder))
	}
	return jsonResponse(http.StatusOK, nonNil(ctx.modelFiles(folder)))
}

// embeddings implements GET /embeddings: embedding names without their extension.
func (ctx *comfyContext) embeddings() (response, *apiError) {
	out := []string{}
	for _, name := range ctx.modelFiles("embeddings") {
		out = append(out, strings.TrimSuffix(name, path.Ext(name)))
	}
	return jsonResponse(http.StatusOK, out)
}

// inputFiles lists the files of ComfyUI's input directory, the options of LoadImage.
func (ctx *comfyContext) inputFiles() []string {
	var out []string
	for name := range ctx.listFiles(ctx.proc.InputDir) {
		if !strings.Contains(name, "/") {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (ctx *comfyContext) choices(in nodeInput) []string {
	if in.InputFolder {
		return ctx.inputFiles()
	}
	return ctx.modelFiles(in.ModelFolder)
}

// ---- /view ----

// view implements GET /view?filename=&subfolder=&type=output|input|temp.
func (ctx *comfyContext) view(query url.Values) (response, *apiError) {
	filename := query.Get("filename")
	if filename == "" {
		return errorResponse(notFound("no file requested; give ?filename="))
	}
	if strings.Contains(filename, "..") || strings.HasPrefix(filename, "/") {
		return errorResponse(badRequest("invalid filename %q", filename))
	}

	var dir string
	switch kind := cmpOr(query.Get("type"), "output"); kind {
	case "output":
		dir = ctx.proc.OutputDir
	case "input":
		dir = ctx.proc.InputDir
	case "temp":
		dir = ctx.proc.TempDir
	default:
		return errorResponse(badRequest("type must be output, input or temp (got %q)", kind))
	}

	full := path.Clean(path.Join(dir, query.Get("subfolder"), filename))
	if !strings.HasPrefix(full, path.Clean(dir)+"/") {
		return errorResponse(newAPIError(http.StatusForbidden, codeForbiddenAction, "subfolder %q leaves the %s directory", query.Get("subfolder"), dir))
	}
	f, ok := ctx.readFile(full)
	if !ok {
		return errorResponse(notFound("file %s not found", full))
	}

	contentType := contentTypeOctetStream
	switch strings.ToLower(path.Ext(filename)) {
	case ".png":
		contentType = "image/png"
	case ".jpg", ".jpeg":
		contentType = "image/jpeg"
	case ".webp":
		contentType = "image/webp"
	}
	return rawResponse(http.StatusOK, contentType, slices.Clone(f.Content))
}
