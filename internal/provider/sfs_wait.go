package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// sfsReadyStatuses are the statuses in which an SFS can be mounted, renamed
// and resized.
var sfsReadyStatuses = []string{verda.VolumeCreated, verda.VolumeAttached, verda.VolumeDetached}

// sfsPendingStatuses are the statuses an SFS passes through on its way to a
// ready one. Any other status ends a wait with an error.
var sfsPendingStatuses = []string{
	verda.VolumeOrdered, verda.VolumeCreating, verda.VolumeCloning, verda.VolumeRestoring,
	verda.VolumeAttaching, verda.VolumeDetaching,
}

// errSFSWaitTimeout marks a wait that ran out of time, as opposed to one that
// saw a failure.
var errSFSWaitTimeout = errors.New("timed out")

// sfsCondition inspects one read of the volume. It returns done when the wait
// is over, and an error when the volume can no longer reach the wanted state.
type sfsCondition func(v *verda.Volume) (done bool, err error)

// sfsWait reads the volume every poll interval, with jitter, until cond is
// done, the context ends or a read fails. The last volume read is returned
// with the error, so that messages can quote its status.
func sfsWait(ctx context.Context, pd *providerData, id, goal string, cond sfsCondition) (*verda.Volume, error) {
	var last *verda.Volume
	for {
		v, err := pd.client.GetVolume(ctx, id)

		if ctxErr := ctx.Err(); ctxErr != nil {
			return last, sfsTimeoutError(ctxErr, goal, last)
		}
		if err != nil {
			return last, err
		}
		last = v
		tflog.Debug(ctx, "polled SFS", map[string]any{"id": id, "goal": goal, "status": v.Status, "name": v.Name, "size": v.Size})

		done, err := cond(v)
		if err != nil || done {
			return v, err
		}

		timer := time.NewTimer(sfsPollDelay(pd.pollInterval))
		select {
		case <-ctx.Done():
			timer.Stop()
			return last, sfsTimeoutError(ctx.Err(), goal, last)
		case <-timer.C:
		}
	}
}

// sfsPollDelay takes up to 10% off the interval as jitter, so that many
// resources waiting at once do not poll the API in step, while no poll comes
// later than one interval.
func sfsPollDelay(interval time.Duration) time.Duration {
	if interval <= 0 {
		interval = defaultPollInterval
	}
	return interval - rand.N(interval/10+1)
}

func sfsTimeoutError(ctxErr error, goal string, last *verda.Volume) error {
	if !errors.Is(ctxErr, context.DeadlineExceeded) {
		return fmt.Errorf("stopped waiting for the SFS to %s: %w", goal, ctxErr)
	}
	if last == nil {
		return fmt.Errorf("%w waiting for the SFS to %s before the API returned the volume once", errSFSWaitTimeout, goal)
	}
	return fmt.Errorf("%w waiting for the SFS to %s, and its last status was %q", errSFSWaitTimeout, goal, last.Status)
}

// sfsReady is done once the volume is in a ready status.
func sfsReady(v *verda.Volume) (bool, error) {
	switch {
	case slices.Contains(sfsReadyStatuses, v.Status):
		return true, nil
	case slices.Contains(sfsPendingStatuses, v.Status):
		return false, nil
	}
	return false, fmt.Errorf("the SFS reached status %q, from which it does not become ready", v.Status)
}

// waitSFSReady waits until a new or changed SFS is ready.
func waitSFSReady(ctx context.Context, pd *providerData, id string) (*verda.Volume, error) {
	return sfsWait(ctx, pd, id, "become ready", sfsReady)
}

// waitSFSReflects waits until the API reports the requested name and at
// least the requested size, with the volume ready again. The rename and
// resize actions return before GET reflects them.
func waitSFSReflects(ctx context.Context, pd *providerData, id, name string, size int64) (*verda.Volume, error) {
	goal := fmt.Sprintf("show the name %q and a size of %d GB", name, size)
	return sfsWait(ctx, pd, id, goal, func(v *verda.Volume) (bool, error) {
		ready, err := sfsReady(v)
		if err != nil || !ready {
			return false, err
		}
		return v.Name == name && v.Size >= size, nil
	})
}

// waitSFSDeleted waits until GET returns 404, which happens once the volume
// is in the trash or deleted for good.
func waitSFSDeleted(ctx context.Context, pd *providerData, id string) error {
	_, err := sfsWait(ctx, pd, id, "be deleted", func(v *verda.Volume) (bool, error) {
		return false, nil
	})
	if verda.IsNotFound(err) {
		return nil
	}
	return err
}
