package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"agentcored/internal/store"
)

// registerHealth exports the store's conditions (store/health.go) as
// gauges, 1 while a condition holds: agentcored_store_write_failing
// {reason="disk_full"} and agentcored_store_corrupt.
func (m *metrics) registerHealth(hr store.HealthReporter) {
	holds := func(c string) func() float64 {
		return func() float64 {
			if _, ok := hr.Condition(c); ok {
				return 1
			}
			return 0
		}
	}
	m.registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "agentcored_store_write_failing",
			Help:        "1 while store writes fail for the given reason (disk_full: the disk holding the database is full).",
			ConstLabels: prometheus.Labels{"reason": store.ConditionDiskFull},
		}, holds(store.ConditionDiskFull)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "agentcored_store_corrupt",
			Help: "1 once the store has found its database file damaged (until a restart on a repaired file).",
		}, holds(store.ConditionCorrupt)),
	)
}
