# a storage type srplan does not know.
# want: 14: Unsupported storage type
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
storage "gcs" "gstage" {
  url = "gs://bucket"
}
