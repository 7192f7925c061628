# env() of a variable that is not set.
# want: 17: Error in function call
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
target "starrocks" "other" {
  hosts    = ["fe3"]
  user     = "root"
  password = env("SRPLAN_TEST_UNSET_PASSWORD")
}
