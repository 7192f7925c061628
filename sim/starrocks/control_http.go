package starrocks

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ServeControl starts the HTTP control endpoint on a loopback address
// (empty means "127.0.0.1:0") and returns the bound address. JSON in/out:
//
//	GET  /counters            -> Counters
//	GET  /backup-jobs         -> []BackupJobEntry (BACKUP/RESTORE job log)
//	POST /fail                {"kind":"EXPORT","count":2,"error":"..."}
//	POST /backends            {"cpu":80.5,"mem":40}
//	POST /close-connections   {}
//	POST /cancel-rate         {"rate":0.1,"seed":7}
//	POST /time-scale          {"scale":0.01}
//	POST /job-model           {"throughput_bytes_per_sec":1e6,"time_scale":0.01}
//	POST /purge-labels        {}  (answers {"ok":true,"purged":n})
//
// Successful POSTs answer {"ok":true}; errors answer {"error":"..."} with
// status 400. The endpoint stops with Close.
func (c *Cluster) ServeControl(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("starrocks sim: control listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: c.controlMux(), ReadHeaderTimeout: 5 * time.Second}
	c.httpMu.Lock()
	c.httpSrvs = append(c.httpSrvs, srv)
	c.httpMu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return ln.Addr().String(), nil
}

func (c *Cluster) controlMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /counters", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.Counters())
	})
	mux.HandleFunc("GET /backup-jobs", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.BackupJobs())
	})
	post := func(path string, body func() any, apply func(any) error) {
		mux.HandleFunc("POST "+path, func(w http.ResponseWriter, r *http.Request) {
			v := body()
			if r.ContentLength != 0 {
				dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
				dec.DisallowUnknownFields()
				if err := dec.Decode(v); err != nil {
					writeJSON(w, http.StatusBadRequest, map[string]string{"error": "decode request: " + err.Error()})
					return
				}
			}
			if err := apply(v); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		})
	}
	type failReq struct {
		Kind  string `json:"kind"`
		Count int    `json:"count"`
		Error string `json:"error"`
	}
	post("/fail", func() any { return &failReq{} }, func(v any) error {
		f := v.(*failReq)
		switch f.Kind {
		case KindExport, KindLoad, KindInsert, KindBackup, KindRestore, KindQuery:
		default:
			return fmt.Errorf("unknown fault kind %q", f.Kind)
		}
		if f.Error == "" && f.Count > 0 {
			return errors.New("error text is required")
		}
		c.controls.FailNext(f.Kind, f.Count, f.Error)
		return nil
	})
	type loadReq struct {
		CPU float64 `json:"cpu"`
		Mem float64 `json:"mem"`
	}
	post("/backends", func() any { return &loadReq{} }, func(v any) error {
		l := v.(*loadReq)
		c.controls.SetNodeLoad(l.CPU, l.Mem)
		return nil
	})
	post("/close-connections", func() any { return &struct{}{} }, func(any) error {
		c.controls.CloseConnections()
		return nil
	})
	type rateReq struct {
		Rate float64 `json:"rate"`
		Seed int64   `json:"seed"`
	}
	post("/cancel-rate", func() any { return &rateReq{} }, func(v any) error {
		r := v.(*rateReq)
		if r.Rate < 0 || r.Rate > 1 {
			return fmt.Errorf("rate %v is outside [0, 1]", r.Rate)
		}
		c.controls.SetCancelRate(r.Rate, r.Seed)
		return nil
	})
	type scaleReq struct {
		Scale float64 `json:"scale"`
	}
	post("/time-scale", func() any { return &scaleReq{} }, func(v any) error {
		s := v.(*scaleReq)
		if s.Scale < 0 {
			return fmt.Errorf("scale %v is negative", s.Scale)
		}
		c.controls.SetTimeScale(s.Scale)
		return nil
	})
	type modelReq struct {
		Throughput float64 `json:"throughput_bytes_per_sec"`
		TimeScale  float64 `json:"time_scale"`
	}
	post("/job-model", func() any { return &modelReq{} }, func(v any) error {
		m := v.(*modelReq)
		c.controls.SetJobModel(JobModel{ThroughputBytesPerSec: m.Throughput, TimeScale: m.TimeScale})
		return nil
	})
	mux.HandleFunc("POST /purge-labels", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "purged": c.controls.PurgeLabels()})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
