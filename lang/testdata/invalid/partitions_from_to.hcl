# a partition range whose from is not before to.
# want: 17: Invalid partition range
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
table "sales.orders" {
  partitions {
    from = "p20250101"
    to   = "p20230101"
  }
}
