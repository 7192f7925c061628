package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// table is one table of the sample schema and how the checks read it.
type table struct {
	name string // db.table
	cols []string
	// key is the duplicate key when the seeded rows are unique on it (the
	// duplicate check looks for repeated key combinations); nil to skip.
	key []string
	// partitioned is false for an unpartitioned table (one partition,
	// named like the table, checked as a whole).
	partitioned bool
}

// The sample schema: a range-partitioned DUPLICATE KEY fact table, an
// unpartitioned PRIMARY KEY dimension table and an expression-partitioned
// DUPLICATE KEY event table.
var (
	orders    = table{"shop.orders", []string{"d", "id", "customer", "amount", "note"}, []string{"d", "id"}, true}
	customers = table{"shop.customers", []string{"id", "name", "country"}, nil, false}
	events    = table{"shop.events", []string{"ts", "user_id", "kind"}, nil, true}
	allTables = []table{orders, customers, events}
)

// orderDays are the daily range partitions of shop.orders, eventDays the
// days that get rows in shop.events (one expression partition each).
var (
	orderDays = []string{"2024-01-01", "2024-01-02", "2024-01-03"}
	eventDays = []string{"2024-01-01", "2024-01-02"}
)

// partName is the partition of day "2024-01-02": p20240102.
func partName(day string) string { return "p" + strings.ReplaceAll(day, "-", "") }

// seedShop creates the sample schema on c with rows rows per orders
// partition, rows customers and rows events per event day.
func seedShop(t testing.TB, c *cluster, rows int) {
	t.Helper()
	var parts []string
	for i, d := range orderDays {
		next := "2024-01-04"
		if i+1 < len(orderDays) {
			next = orderDays[i+1]
		}
		parts = append(parts, fmt.Sprintf("PARTITION %s VALUES [('%s'), ('%s'))", partName(d), d, next))
	}
	c.exec(t,
		"CREATE DATABASE shop",
		"CREATE TABLE shop.orders (d DATE NOT NULL, id BIGINT NOT NULL, customer BIGINT NOT NULL, amount DECIMAL(12, 2) NULL, note VARCHAR(64) NULL) "+
			"ENGINE=OLAP DUPLICATE KEY(d, id) PARTITION BY RANGE(d) ("+strings.Join(parts, ", ")+") "+
			"DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
		"CREATE TABLE shop.customers (id BIGINT NOT NULL, name VARCHAR(64) NULL, country VARCHAR(2) NULL) "+
			"ENGINE=OLAP PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
		"CREATE TABLE shop.events (ts DATETIME NOT NULL, user_id BIGINT NOT NULL, kind VARCHAR(16) NULL) "+
			"ENGINE=OLAP DUPLICATE KEY(ts) PARTITION BY date_trunc('day', ts) "+
			"DISTRIBUTED BY HASH(user_id) BUCKETS 2 PROPERTIES (\"replication_num\" = \"1\")",
	)
	for i, d := range orderDays {
		addOrders(t, c, d, int64(i*rows), rows)
	}
	upsertCustomers(t, c, 1, rows, "")
	for _, d := range eventDays {
		addEvents(t, c, d, rows)
	}
}

// addOrders inserts n orders on day with ids from firstID+1 (one load).
func addOrders(t testing.TB, c *cluster, day string, firstID int64, n int) {
	t.Helper()
	vals := make([]string, 0, n)
	for i := range int64(n) {
		id := firstID + i + 1
		note := "NULL"
		if id%7 != 0 {
			note = fmt.Sprintf("'order %d'", id)
		}
		vals = append(vals, fmt.Sprintf("('%s', %d, %d, %d.%02d, %s)", day, id, id%50+1, id%997, id%100, note))
	}
	c.exec(t, "INSERT INTO shop.orders VALUES "+strings.Join(vals, ", "))
}

// nextOrderID is one more than the largest order id on c.
func nextOrderID(t testing.TB, c *cluster) int64 {
	t.Helper()
	var id int64
	if err := c.db.QueryRow("SELECT COALESCE(MAX(id), 0) FROM shop.orders").Scan(&id); err != nil {
		t.Fatalf("max order id: %v", err)
	}
	return id
}

// upsertCustomers writes customers first..first+n-1; tag changes the
// names, so that rewriting existing ids changes the table.
func upsertCustomers(t testing.TB, c *cluster, first, n int, tag string) {
	t.Helper()
	vals := make([]string, 0, n)
	for i := first; i < first+n; i++ {
		country := []string{"DE", "US", "CN", "BR"}[i%4]
		vals = append(vals, fmt.Sprintf("(%d, 'customer %d%s', '%s')", i, i, tag, country))
	}
	c.exec(t, "INSERT INTO shop.customers VALUES "+strings.Join(vals, ", "))
}

// addEvents inserts n events on day.
func addEvents(t testing.TB, c *cluster, day string, n int) {
	t.Helper()
	vals := make([]string, 0, n)
	for i := range n {
		vals = append(vals, fmt.Sprintf("('%s %02d:%02d:%02d', %d, '%s')", day, i%24, i%60, (i/60)%60, i%50+1, []string{"view", "click", "buy"}[i%3]))
	}
	c.exec(t, "INSERT INTO shop.events VALUES "+strings.Join(vals, ", "))
}
