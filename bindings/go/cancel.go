//go:build cgo

package sethealth

// #include "sethealth.h"
import "C"

import (
	"context"
	"runtime"
)

// cancelWatch cancels a blocking C call when its context ends. It owns a C
// sethealth_cancel handle and the goroutine that waits on ctx.Done().
type cancelWatch struct {
	handle *C.sethealth_cancel
	done   chan struct{}
	exited chan struct{}
}

// watchContext starts watching ctx. It returns nil, and starts nothing, for
// a context that can never be cancelled, such as context.Background().
// Otherwise the caller passes handle to the C call and then calls stop.
func watchContext(ctx context.Context) (*cancelWatch, error) {
	if ctx.Done() == nil {
		return nil, nil
	}
	watch := &cancelWatch{done: make(chan struct{}), exited: make(chan struct{})}
	var cerr *C.sethealth_error
	if status := C.sethealth_cancel_new(&watch.handle, &cerr); status != C.SETHEALTH_OK {
		return nil, takeError(status, cerr)
	}

	go func() {
		defer close(watch.exited)
		select {
		case <-ctx.Done():
			C.sethealth_cancel_cancel(watch.handle)
		case <-watch.done:
		}
	}()
	return watch, nil
}

// cHandle returns the handle to pass to C; NULL for a nil watch.
func (w *cancelWatch) cHandle() *C.sethealth_cancel {
	if w == nil {
		return nil
	}
	return w.handle
}

// stop ends the goroutine, waits until it can no longer touch the handle,
// and frees the handle.
func (w *cancelWatch) stop() {
	if w == nil {
		return
	}
	close(w.done)
	<-w.exited
	C.sethealth_cancel_free(w.handle)
	w.handle = nil
	runtime.KeepAlive(w)
}
