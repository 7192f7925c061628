# a malformed glob in partitions.include.
# want: 18: Invalid partition pattern
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
    include = [
      "p2023*",
      "p2024[01",
    ]
  }
}
