# a credential among the repository properties.
# want: 17: Credential in repository properties
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
repository "bk" {
  storage    = storage.stage
  properties = {
    "aws.s3.secret_key" = "x"
  }
}
