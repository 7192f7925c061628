# health percentages out of range.
# want: 16: Percentage out of range
# want: 17: Percentage out of range
source "starrocks" "old" {
  hosts = ["fe1:9030"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2:9030"]
  user  = "root"
}
storage "local" "stage" {
  path = "./stage"
}
throttle "default" {
  source_max_cpu_pct = 0
  target_max_mem_pct = 120
}
