package starrocks

import (
	"crypto/subtle"
	"crypto/x509"
	"fmt"
	"net"

	"github.com/dolthub/vitess/go/mysql"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
)

// authServer authenticates clients with mysql_native_password against the
// cluster's accounts and reports failures with MySQL/StarRocks error 1045:
// "Access denied for user 'x'@'host' (using password: YES)".
type authServer struct{ c *Cluster }

var (
	_ mysql.AuthServer  = (*authServer)(nil)
	_ mysql.HashStorage = (*authServer)(nil)
)

func (a *authServer) AuthMethods() []mysql.AuthMethod {
	return []mysql.AuthMethod{mysql.NewMysqlNativeAuthMethod(a, a)}
}

func (a *authServer) DefaultAuthMethodDescription() mysql.AuthMethodDescription {
	return mysql.MysqlNativePassword
}

// HandleUser implements mysql.UserValidator; unknown users are rejected in
// UserEntryWithHash so they get the same message as a wrong password.
func (a *authServer) HandleUser(string, net.Addr) bool { return true }

// UserEntryWithHash implements mysql.HashStorage.
func (a *authServer) UserEntryWithHash(_ []*x509.Certificate, salt []byte, user string, authResponse []byte, remoteAddr net.Addr) (mysql.Getter, error) {
	pw, ok := a.c.passwords[user]
	if ok {
		var want []byte
		if pw != "" {
			want = mysql.ScramblePassword(salt, []byte(pw))
		}
		if subtle.ConstantTimeCompare(want, authResponse) == 1 {
			return userGetter(user), nil
		}
	}
	host := "%"
	if tcp, ok := remoteAddr.(*net.TCPAddr); ok {
		host = tcp.IP.String()
	}
	using := "NO"
	if len(authResponse) > 0 {
		using = "YES"
	}
	return nil, mysql.NewSQLError(mysql.ERAccessDeniedError, mysql.SSAccessDeniedError, "%s", fmt.Sprintf("Access denied for user '%s'@'%s' (using password: %s)", user, host, using))
}

type userGetter string

func (u userGetter) Get() *querypb.VTGateCallerID {
	return &querypb.VTGateCallerID{Username: string(u)}
}
