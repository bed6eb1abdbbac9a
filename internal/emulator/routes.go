package emulator

import "net/http"

// routes registers every route of the emulator.
//
// The Verda API is served under /v1 with the real paths, bodies, status codes and error envelope. Every /v1
// route except the token endpoint needs "Authorization: Bearer <access token>".
//
// The fake ComfyUI of deployment NAME is served under /inference/NAME/ (the deployment's
// endpoint_base_url) and needs "Authorization: Bearer <inference key>". Its routes are also served with the
// /api/ prefix, as ComfyUI does.
//
// The control plane under /_emulator/ needs no authentication and is the HTTP twin of the Go API:
//
//	POST   /_emulator/reset                          Reset
//	POST   /_emulator/seed[?fixture=production]      LoadSeed with the body, or the embedded production fixture
//	GET    /_emulator/state                          the state in the state-file format
//	GET    /_emulator/faults                         faults not yet used up
//	POST   /_emulator/faults                         AddFault; body {"method","path","count","status",
//	                                                 "retry_after","delay":"150ms","drop","commit_then_fail"}
//	DELETE /_emulator/faults                         remove all faults
//	GET    /_emulator/requests[?mutating=true]       Requests, or MutatingRequests
//	GET    /_emulator/requests/count?method=&path=   CountRequests, as {"count":N}
//	DELETE /_emulator/requests                       ClearRequests
//	PUT    /_emulator/images                         SetImageBehavior; body {"image","behavior":{...}}
//	PUT    /_emulator/compute                        SetComputeAvailable; body {"name","size","is_available"}
//	PUT    /_emulator/delete-delay                   SetDeleteDelay; body {"polls":N}
//	GET    /_emulator/deployments/{name}/status      DeploymentStatus (does not advance the lifecycle)
//	POST   /_emulator/deployments/{name}/force-status ForceStatus; body {"status":"..."}, "" clears
//	DELETE /_emulator/deployments/{name}             DeleteDeploymentOutOfBand
//	PATCH  /_emulator/deployments/{name}             PatchDeploymentOutOfBand
//	DELETE /_emulator/volumes/{id}                   DeleteVolumeOutOfBand
//	PATCH  /_emulator/volumes/{id}                   PatchVolumeOutOfBand
//	GET    /_emulator/volumes/{id}/files             Files, as {"path": size}
//	PUT    /_emulator/volumes/{id}/files/{path...}   PutFile with the raw body as content
//	GET    /_emulator/volumes/{id}/files/{path...}   the content of one file
//
// Unknown paths get a JSON 404 and known paths with another method a JSON 405.
func (e *Emulator) routes(mux *http.ServeMux) {
	api := func(pattern string, h apiHandler) { mux.Handle(pattern, e.authenticated(h)) }
	control := func(pattern string, h apiHandler) { mux.Handle(pattern, serveAPI(h)) }

	mux.Handle("POST /v1/oauth2/token", serveAPI(e.handleToken))

	api("GET /v1/container-deployments", e.handleListDeployments)
	api("POST /v1/container-deployments", e.handleCreateDeployment)
	api("GET /v1/container-deployments/{name}", e.handleGetDeployment)
	api("PATCH /v1/container-deployments/{name}", e.handlePatchDeployment)
	api("DELETE /v1/container-deployments/{name}", e.handleDeleteDeployment)
	api("GET /v1/container-deployments/{name}/status", e.handleDeploymentStatus)
	api("GET /v1/container-deployments/{name}/scaling", e.handleGetScaling)
	api("PATCH /v1/container-deployments/{name}/scaling", e.handlePatchScaling)
	api("GET /v1/container-deployments/{name}/replicas", e.handleReplicas)
	api("POST /v1/container-deployments/{name}/restart", e.handleRestart)
	api("POST /v1/container-deployments/{name}/pause", e.handlePause)
	api("POST /v1/container-deployments/{name}/resume", e.handleResume)
	api("POST /v1/container-deployments/{name}/purge-queue", e.handlePurgeQueue)
	api("GET /v1/container-deployments/{name}/environment-variables", e.handleListEnv)
	api("POST /v1/container-deployments/{name}/environment-variables", e.handleAddEnv)
	api("PATCH /v1/container-deployments/{name}/environment-variables", e.handleUpdateEnv)
	api("DELETE /v1/container-deployments/{name}/environment-variables", e.handleDeleteEnv)

	api("GET /v1/volumes", e.handleListVolumes)
	api("POST /v1/volumes", e.handleCreateVolume)
	api("PUT /v1/volumes", e.handleVolumeAction)
	api("GET /v1/volumes/trash", e.handleListTrash)
	api("GET /v1/volumes/{id}", e.handleGetVolume)
	api("DELETE /v1/volumes/{id}", e.handleDeleteVolume)

	api("GET /v1/volume-types", e.handleVolumeTypes)
	api("GET /v1/serverless-compute-resources", e.handleComputeResources)
	api("GET /v1/container-types", e.handleContainerTypes)
	api("GET /v1/locations", e.handleLocations)
	api("GET /v1/secrets", e.handleListSecrets)
	api("POST /v1/secrets", e.handleCreateSecret)
	api("DELETE /v1/secrets/{name}", e.handleDeleteSecret)
	api("GET /v1/file-secrets", e.handleListFileSecrets)
	api("POST /v1/file-secrets", e.handleCreateFileSecret)
	api("DELETE /v1/file-secrets/{name}", e.handleDeleteFileSecret)
	api("GET /v1/container-registry-credentials", e.handleListRegistryCredentials)
	api("POST /v1/container-registry-credentials", e.handleCreateRegistryCredential)
	api("DELETE /v1/container-registry-credentials/{name}", e.handleDeleteRegistryCredential)

	mux.HandleFunc("/inference/{name}", e.handleInference)
	mux.HandleFunc("/inference/{name}/{path...}", e.handleInference)

	control("POST /_emulator/reset", e.handleControlReset)
	control("POST /_emulator/seed", e.handleControlSeed)
	control("GET /_emulator/state", e.handleControlState)
	control("GET /_emulator/faults", e.handleControlListFaults)
	control("POST /_emulator/faults", e.handleControlAddFault)
	control("DELETE /_emulator/faults", e.handleControlClearFaults)
	control("GET /_emulator/requests", e.handleControlRequests)
	control("GET /_emulator/requests/count", e.handleControlCountRequests)
	control("DELETE /_emulator/requests", e.handleControlClearRequests)
	control("PUT /_emulator/images", e.handleControlSetImage)
	control("PUT /_emulator/compute", e.handleControlSetCompute)
	control("PUT /_emulator/delete-delay", e.handleControlDeleteDelay)
	control("GET /_emulator/deployments/{name}/status", e.handleControlDeploymentStatus)
	control("POST /_emulator/deployments/{name}/force-status", e.handleControlForceStatus)
	control("DELETE /_emulator/deployments/{name}", e.handleControlDeleteDeployment)
	control("PATCH /_emulator/deployments/{name}", e.handleControlPatchDeployment)
	control("DELETE /_emulator/volumes/{id}", e.handleControlDeleteVolume)
	control("PATCH /_emulator/volumes/{id}", e.handleControlPatchVolume)
	control("GET /_emulator/volumes/{id}/files", e.handleControlListFiles)
	control("PUT /_emulator/volumes/{id}/files/{path...}", e.handleControlPutFile)
	control("GET /_emulator/volumes/{id}/files/{path...}", e.handleControlGetFile)

	mux.Handle("/", e.notFoundOrMethodNotAllowed(mux))
}
