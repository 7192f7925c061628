# two state blocks.
# want: 17: Duplicate state block
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
state {
  path = "a.db"
}
state {
  path = "b.db"
}
