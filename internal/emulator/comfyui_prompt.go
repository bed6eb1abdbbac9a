package emulator

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// POST /prompt validates like ComfyUI's execution.validate_prompt and then runs the prompt at once: output
// nodes write real PNG files and the result goes into the history.

type promptRequest struct {
	Prompt    map[string]*promptNode `json:"prompt"`
	ClientID  *string                `json:"client_id"`
	PromptID  *string                `json:"prompt_id"`
	ExtraData map[string]any         `json:"extra_data"`
	Number    *float64               `json:"number"`
	Front     bool                   `json:"front"`
}

type promptNode struct {
	ClassType *string        `json:"class_type"`
	Inputs    map[string]any `json:"inputs"`
}

// promptError is the "error" object of a rejected prompt.
type promptError struct {
	Type      string         `json:"type"`
	Message   string         `json:"message"`
	Details   string         `json:"details"`
	ExtraInfo map[string]any `json:"extra_info"`
}

// nodeValidationError is one entry of node_errors[id].errors.
type nodeValidationError struct {
	Type      string         `json:"type"`
	Message   string         `json:"message"`
	Details   string         `json:"details"`
	ExtraInfo map[string]any `json:"extra_info"`
}

type nodeErrorEntry struct {
	Errors           []nodeValidationError `json:"errors"`
	DependentOutputs []string              `json:"dependent_outputs"`
	ClassType        string                `json:"class_type"`
}

var canonicalUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func rejectPrompt(errType, message, details string, nodeErrors map[string]*nodeErrorEntry) (response, *apiError) {
	if nodeErrors == nil {
		nodeErrors = map[string]*nodeErrorEntry{}
	}
	return jsonResponse(http.StatusBadRequest, map[string]any{
		"error":       promptError{Type: errType, Message: message, Details: details, ExtraInfo: map[string]any{}},
		"node_errors": nodeErrors,
	})
}

// submitPrompt implements POST /prompt.
func (ctx *comfyContext) submitPrompt(body []byte) (response, *apiError) {
	var req promptRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return rejectPrompt("invalid_prompt", "Invalid prompt", "request body is not valid JSON: "+err.Error(), nil)
	}
	if req.Prompt == nil {
		return rejectPrompt("no_prompt", "No prompt provided", "No prompt provided", nil)
	}

	promptID := ""
	if req.PromptID != nil {
		promptID = *req.PromptID
		if ctx.proc.is2026() && !canonicalUUID.MatchString(promptID) {
			return rejectPrompt("invalid_prompt_id", "Invalid prompt_id", fmt.Sprintf("prompt_id %q is not a lowercase UUID", promptID), nil)
		}
	}

	v := &promptValidator{ctx: ctx, nodes: req.Prompt, valid: map[string]bool{}, errors: map[string][]nodeValidationError{}}
	outputs, nodeErrors, rejected := v.validate()
	if rejected != nil {
		return rejectPrompt(rejected.Type, rejected.Message, rejected.Details, nodeErrors)
	}

	if promptID == "" {
		promptID = ctx.st.newID()
	}
	number := float64(ctx.d.Comfy.PromptNumber)
	ctx.d.Comfy.PromptNumber++
	if req.Number != nil {
		number = *req.Number
	} else if req.Front {
		number = -number
	}
	extraData := req.ExtraData
	if extraData == nil {
		extraData = map[string]any{}
	}
	if req.ClientID != nil {
		extraData["client_id"] = *req.ClientID
	}

	ctx.execute(promptID, number, req.Prompt, extraData, outputs)
	return jsonResponse(http.StatusOK, map[string]any{"prompt_id": promptID, "number": number, "node_errors": nodeErrors})
}

// ---- validation ----

type promptValidator struct {
	ctx    *comfyContext
	nodes  map[string]*promptNode
	valid  map[string]bool
	errors map[string][]nodeValidationError
}

// validate returns the output nodes that can run and the node errors. rejected is set when nothing can run.
func (v *promptValidator) validate() (outputs []string, nodeErrors map[string]*nodeErrorEntry, rejected *promptError) {
	ids := sortedNodeIDs(v.nodes)
	for _, id := range ids {
		node := v.nodes[id]
		if node == nil || node.ClassType == nil {
			return nil, nil, &promptError{Type: "invalid_prompt", Message: "Cannot execute because a node is missing the class_type property.",
				Details: fmt.Sprintf("Node ID '#%s'", id)}
		}
		if _, ok := findNodeClass(v.ctx.classes, *node.ClassType); !ok {
			return nil, nil, &promptError{Type: "invalid_prompt", Message: fmt.Sprintf("Cannot execute because node %s does not exist.", *node.ClassType),
				Details: fmt.Sprintf("Node ID '#%s'", id)}
		}
	}

	var candidates []string
	for _, id := range ids {
		class, _ := findNodeClass(v.ctx.classes, *v.nodes[id].ClassType)
		if class.OutputNode {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return nil, nil, &promptError{Type: "prompt_no_outputs", Message: "Prompt has no outputs", Details: ""}
	}

	nodeErrors = map[string]*nodeErrorEntry{}
	var reasons []string
	for _, out := range candidates {
		if v.validateNode(out, map[string]bool{}) {
			outputs = append(outputs, out)
			continue
		}
		for _, id := range v.dependencies(out) {
			errs := v.errors[id]
			if len(errs) == 0 {
				continue
			}
			entry, ok := nodeErrors[id]
			if !ok {
				entry = &nodeErrorEntry{Errors: errs, ClassType: *v.nodes[id].ClassType}
				nodeErrors[id] = entry
				for _, e := range errs {
					reasons = append(reasons, fmt.Sprintf("%s: %s", e.Message, e.Details))
				}
			}
			entry.DependentOutputs = append(entry.DependentOutputs, out)
		}
	}
	if len(outputs) == 0 {
		return nil, nodeErrors, &promptError{Type: "prompt_outputs_failed_validation", Message: "Prompt outputs failed validation",
			Details: strings.Join(reasons, "\n")}
	}
	return outputs, nodeErrors, nil
}

// validateNode checks one node's inputs and, through links, the nodes it depends on.
func (v *promptValidator) validateNode(id string, visiting map[string]bool) bool {
	if ok, done := v.valid[id]; done {
		return ok
	}
	if visiting[id] {
		return true
	}
	visiting[id] = true
	node := v.nodes[id]
	class, _ := findNodeClass(v.ctx.classes, *node.ClassType)

	var errs []nodeValidationError
	linksValid := true
	checkLink := func(inputName, expectedType string, value any) {
		list, isList := value.([]any)
		if !isList {
			return
		}
		srcID, srcIndex, err := parseLink(list)
		if err != nil {
			errs = append(errs, nodeValidationError{Type: "bad_linked_input", Message: "Bad linked input, must be a length-2 list of [string, int]",
				Details: fmt.Sprintf("%s, %v", inputName, value), ExtraInfo: map[string]any{"input_name": inputName, "received_value": value}})
			return
		}
		src, exists := v.nodes[srcID]
		if !exists {
			errs = append(errs, nodeValidationError{Type: "bad_linked_input", Message: "Bad linked input, node does not exist",
				Details: fmt.Sprintf("%s: node '%s' does not exist", inputName, srcID), ExtraInfo: map[string]any{"input_name": inputName, "received_value": value}})
			return
		}
		srcClass, _ := findNodeClass(v.ctx.classes, *src.ClassType)
		if !srcClass.isCustom() && expectedType != "" && expectedType != "*" {
			received := ""
			if srcIndex < len(srcClass.Outputs) {
				received = srcClass.Outputs[srcIndex]
			}
			if received != expectedType {
				errs = append(errs, nodeValidationError{Type: "return_type_mismatch", Message: "Return type mismatch between linked nodes",
					Details:   fmt.Sprintf("%s, received_type(%s) mismatch input_type(%s)", inputName, received, expectedType),
					ExtraInfo: map[string]any{"input_name": inputName, "received_type": received, "linked_node": list}})
				return
			}
		}
		if !v.validateNode(srcID, visiting) {
			linksValid = false
		}
	}

	if class.isCustom() {
		for _, name := range sortedKeys(node.Inputs) {
			checkLink(name, "", node.Inputs[name])
		}
	}
	for _, in := range class.Inputs {
		value, present := node.Inputs[in.Name]
		if !present || value == nil {
			if !in.Optional {
				errs = append(errs, nodeValidationError{Type: "required_input_missing", Message: "Required input is missing",
					Details: in.Name, ExtraInfo: map[string]any{"input_name": in.Name}})
			}
			continue
		}
		if _, isList := value.([]any); isList {
			checkLink(in.Name, in.Type, value)
			continue
		}
		if err := v.validateLiteral(in, value); err != nil {
			errs = append(errs, *err)
		}
	}

	v.errors[id] = errs
	ok := len(errs) == 0 && linksValid
	v.valid[id] = ok
	return ok
}

func (v *promptValidator) validateLiteral(in nodeInput, value any) *nodeValidationError {
	if in.ModelFolder != "" || in.InputFolder || in.Options != nil {
		options := in.Options
		if options == nil {
			options = v.ctx.choices(in)
		}
		s, _ := value.(string)
		if !slices.Contains(options, s) {
			return &nodeValidationError{Type: "value_not_in_list", Message: "Value not in list",
				Details:   fmt.Sprintf("%s: '%v' not in %s", in.Name, value, pythonList(options)),
				ExtraInfo: map[string]any{"input_name": in.Name, "input_config": []any{nonNil(options), map[string]any{}}, "received_value": value}}
		}
		return nil
	}
	if in.Type != "INT" && in.Type != "FLOAT" {
		return nil
	}
	n, ok := toNumber(value)
	if !ok {
		return &nodeValidationError{Type: "invalid_input_type", Message: fmt.Sprintf("Failed to convert an input value to a %s value", in.Type),
			Details:   fmt.Sprintf("%s, %v, invalid literal for %s()", in.Name, value, strings.ToLower(in.Type)),
			ExtraInfo: map[string]any{"input_name": in.Name, "received_value": value}}
	}
	if in.Min != nil && n < *in.Min {
		return &nodeValidationError{Type: "value_smaller_than_min", Message: fmt.Sprintf("Value %v smaller than min of %v", n, *in.Min),
			Details: in.Name, ExtraInfo: map[string]any{"input_name": in.Name, "received_value": value}}
	}
	if in.Max != nil && n > *in.Max {
		return &nodeValidationError{Type: "value_bigger_than_max", Message: fmt.Sprintf("Value %v bigger than max of %v", n, *in.Max),
			Details: in.Name, ExtraInfo: map[string]any{"input_name": in.Name, "received_value": value}}
	}
	return nil
}

// dependencies returns id and every node it reaches through links.
func (v *promptValidator) dependencies(id string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		node, ok := v.nodes[n]
		if !ok {
			return
		}
		for _, name := range sortedKeys(node.Inputs) {
			if list, isList := node.Inputs[name].([]any); isList {
				if src, _, err := parseLink(list); err == nil {
					walk(src)
				}
			}
		}
	}
	walk(id)
	out := slices.Collect(func(yield func(string) bool) {
		for n := range seen {
			if _, exists := v.nodes[n]; exists && !yield(n) {
				return
			}
		}
	})
	sortNodeIDs(out)
	return out
}

func parseLink(list []any) (string, int, error) {
	if len(list) != 2 {
		return "", 0, fmt.Errorf("link must have 2 elements")
	}
	var src string
	switch id := list[0].(type) {
	case string:
		src = id
	case float64:
		src = strconv.FormatFloat(id, 'f', -1, 64)
	default:
		return "", 0, fmt.Errorf("link source must be a node id")
	}
	index, ok := list[1].(float64)
	if !ok || index < 0 || index != float64(int(index)) {
		return "", 0, fmt.Errorf("link output must be an integer")
	}
	return src, int(index), nil
}

func toNumber(value any) (float64, bool) {
	switch n := value.(type) {
	case float64:
		return n, true
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

// pythonList renders a list as Python's repr does, as ComfyUI's messages show it.
func pythonList(items []string) string {
	quoted := make([]string, len(items))
	for i, item := range items {
		quoted[i] = "'" + item + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedNodeIDs(nodes map[string]*promptNode) []string {
	ids := make([]string, 0, len(nodes))
	for id := range nodes {
		ids = append(ids, id)
	}
	sortNodeIDs(ids)
	return ids
}

// sortNodeIDs orders numeric ids numerically ("2" before "10") and others after them, alphabetically.
func sortNodeIDs(ids []string) {
	sort.Slice(ids, func(i, j int) bool {
		a, errA := strconv.Atoi(ids[i])
		b, errB := strconv.Atoi(ids[j])
		switch {
		case errA == nil && errB == nil:
			return a < b
		case errA == nil:
			return true
		case errB == nil:
			return false
		}
		return ids[i] < ids[j]
	})
}

// ---- execution ----

type historyImage struct {
	Filename  string `json:"filename"`
	Subfolder string `json:"subfolder"`
	Type      string `json:"type"`
}

// execute runs the valid output nodes and records the history entry.
func (ctx *comfyContext) execute(promptID string, number float64, nodes map[string]*promptNode, extraData map[string]any, outputs []string) {
	timestamp := ctx.st.now().UnixMilli()
	messages := []any{
		[]any{"execution_start", map[string]any{"prompt_id": promptID, "timestamp": timestamp}},
		[]any{"execution_cached", map[string]any{"nodes": []string{}, "prompt_id": promptID, "timestamp": timestamp}},
	}
	results := map[string]any{}
	meta := map[string]any{}
	failure, failedNode := ctx.proc.Behavior.SmokeTestError, ""
	if failure != "" {
		failedNode = ctx.failingNode(nodes, outputs)
	}

	if failure == "" {
		for _, id := range outputs {
			node := nodes[id]
			var images []historyImage
			var err error
			switch *node.ClassType {
			case "SaveImage":
				images, err = ctx.saveImages(nodes, id, "output")
			case "PreviewImage":
				images, err = ctx.saveImages(nodes, id, "temp")
			}
			if err != nil {
				failure, failedNode = err.Error(), id
				break
			}
			if images != nil {
				results[id] = map[string]any{"images": images}
			}
			meta[id] = map[string]any{"node_id": id, "display_node": id, "parent_node": nil, "real_node_id": id}
		}
	}

	status := map[string]any{"status_str": "success", "completed": true}
	if failure != "" {
		messages = append(messages, []any{"execution_error", map[string]any{
			"prompt_id": promptID, "node_id": failedNode, "node_type": *nodes[failedNode].ClassType, "executed": []string{},
			"exception_message": failure, "exception_type": "RuntimeError",
			"traceback":      []string{"Traceback (most recent call last):\n", "RuntimeError: " + failure + "\n"},
			"current_inputs": map[string]any{}, "current_outputs": map[string]any{}, "timestamp": timestamp,
		}})
		status = map[string]any{"status_str": "error", "completed": false}
		results = map[string]any{}
		meta = map[string]any{}
	} else {
		messages = append(messages, []any{"execution_success", map[string]any{"prompt_id": promptID, "timestamp": timestamp}})
	}
	status["messages"] = messages

	entry, err := json.Marshal(map[string]any{
		"prompt":  []any{number, promptID, nodes, extraData, outputs},
		"outputs": results,
		"status":  status,
		"meta":    meta,
	})
	if err != nil {
		entry = []byte(`{}`)
	}
	ctx.addHistory(promptID, entry)
}

// failingNode picks where an injected runtime error happens: the first sampler, else the first output.
func (ctx *comfyContext) failingNode(nodes map[string]*promptNode, outputs []string) string {
	for _, id := range sortedNodeIDs(nodes) {
		if strings.HasPrefix(*nodes[id].ClassType, "KSampler") {
			return id
		}
	}
	return outputs[0]
}

// saveImages writes the PNG files of a SaveImage (kind "output") or PreviewImage (kind "temp") node.
func (ctx *comfyContext) saveImages(nodes map[string]*promptNode, id, kind string) ([]historyImage, error) {
	node := nodes[id]
	width, height, batch, fill := ctx.imageShape(nodes, id)

	dir := ctx.proc.OutputDir
	prefix := "ComfyUI"
	if p, ok := node.Inputs["filename_prefix"].(string); ok && p != "" {
		prefix = p
	}
	if kind == "temp" {
		dir = ctx.proc.TempDir
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", ctx.d.Name, ctx.d.Comfy.PromptNumber)))
		prefix = "ComfyUI_temp_" + strings.Map(func(r rune) rune { return 'a' + r%26 }, fmt.Sprintf("%x", sum[:5]))
	}
	subfolder, base := path.Split(prefix)
	subfolder = strings.TrimSuffix(subfolder, "/")
	full := path.Clean(path.Join(dir, subfolder))
	if full != path.Clean(dir) && !strings.HasPrefix(full, path.Clean(dir)+"/") {
		return nil, fmt.Errorf("**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: %s\n output_dir: %s", full, dir)
	}

	counter := ctx.nextImageCounter(full, base)
	content := encodePNG(width, height, fill)
	var images []historyImage
	for range batch {
		filename := fmt.Sprintf("%s_%05d_.png", base, counter)
		ctx.writeFile(path.Join(full, filename), slices.Clone(content))
		images = append(images, historyImage{Filename: filename, Subfolder: subfolder, Type: kind})
		counter++
	}
	return images, nil
}

// nextImageCounter follows ComfyUI's get_save_image_path: one more than the highest existing counter.
func (ctx *comfyContext) nextImageCounter(dir, base string) int {
	pattern := regexp.MustCompile("^" + regexp.QuoteMeta(base) + `_(\d+)_?\.[a-z0-9]+$`)
	highest := 0
	for name := range ctx.listFiles(dir) {
		if m := pattern.FindStringSubmatch(name); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n > highest {
				highest = n
			}
		}
	}
	return highest + 1
}

// Generated images are capped at this side length, whatever size the workflow requests, to keep prompts fast.
const maxGeneratedImageSide = 1024

// imageShape follows the image links upstream of a node to the first node that states width, height or
// batch_size, and EmptyImage's color.
func (ctx *comfyContext) imageShape(nodes map[string]*promptNode, id string) (width, height, batch int, fill color.RGBA) {
	width, height, batch = 512, 512, 1
	fill = color.RGBA{R: 128, G: 128, B: 128, A: 255}
	seen := map[string]bool{}
	current := id
	for depth := 0; depth < 64 && !seen[current]; depth++ {
		seen[current] = true
		node, ok := nodes[current]
		if !ok {
			break
		}
		if w, ok := toNumber(node.Inputs["width"]); ok {
			width = int(w)
		}
		if h, ok := toNumber(node.Inputs["height"]); ok {
			height = int(h)
		}
		if b, ok := toNumber(node.Inputs["batch_size"]); ok {
			batch = int(b)
		}
		if c, ok := toNumber(node.Inputs["color"]); ok && *node.ClassType == "EmptyImage" {
			rgb := int(c)
			fill = color.RGBA{R: uint8(rgb >> 16), G: uint8(rgb >> 8), B: uint8(rgb), A: 255}
		}
		if _, hasWidth := node.Inputs["width"]; hasWidth {
			break
		}
		next := ""
		for _, name := range []string{"images", "image", "samples", "pixels", "latent_image"} {
			if list, isList := node.Inputs[name].([]any); isList {
				if src, _, err := parseLink(list); err == nil {
					next = src
					break
				}
			}
		}
		if next == "" {
			break
		}
		current = next
	}
	width = min(max(width, 1), maxGeneratedImageSide)
	height = min(max(height, 1), maxGeneratedImageSide)
	batch = min(max(batch, 1), 64)
	return width, height, batch, fill
}

// encodePNG returns a single-color PNG, small even at large sizes because it compresses to almost nothing.
func encodePNG(width, height int, fill color.RGBA) []byte {
	img := image.NewPaletted(image.Rect(0, 0, width, height), color.Palette{fill})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}
