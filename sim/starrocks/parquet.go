package starrocks

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"

	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/types"
	"github.com/dolthub/vitess/go/sqltypes"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
	"github.com/shopspring/decimal"
)

// Parquet files written by INSERT INTO FILES and read by FILES() and
// Broker Load. Columns are optional (nullable) leaves in SELECT order,
// with these physical/logical types:
//
//	BOOLEAN                      BOOLEAN
//	TINYINT/SMALLINT/INT         INT32 with INT(8|16|32, signed)
//	BIGINT                       INT64
//	LARGEINT                     BYTE_ARRAY (UTF8 string of the digits)
//	FLOAT / DOUBLE               FLOAT / DOUBLE
//	DECIMAL(p,s)                 DECIMAL(p,s) on INT32 (p<=9), INT64 (p<=18)
//	                             or FIXED_LEN_BYTE_ARRAY(16)
//	DATE                         DATE (INT32 days)
//	DATETIME                     TIMESTAMP(MICROS, not adjusted to UTC)
//	CHAR/VARCHAR/JSON/complex    BYTE_ARRAY (UTF8)
//	VARBINARY                    BYTE_ARRAY
//
// [inference] StarRocks' writer (be/src/formats/parquet) uses the same
// logical types for these columns; LARGEINT as a string is the
// simulator's choice.

type pqKind int

const (
	pqBool pqKind = iota
	pqInt8
	pqInt16
	pqInt32
	pqInt64
	pqFloat
	pqDouble
	pqDecimal
	pqDate
	pqTimestamp
	pqString
	pqBytes
)

// pqColumn is one leaf column of a flat Parquet file.
type pqColumn struct {
	Name             string
	Kind             pqKind
	Precision, Scale int
	unit             time.Duration // pqTimestamp: the stored unit
	physical         format.Type   // pqDecimal: the physical type read
}

// pqColumnFor maps a StarRocks column type to its Parquet column.
func pqColumnFor(name string, ct ColumnType) pqColumn {
	c := pqColumn{Name: name, Kind: pqString}
	switch ct.Base {
	case "BOOLEAN":
		c.Kind = pqBool
	case "TINYINT":
		c.Kind = pqInt8
	case "SMALLINT":
		c.Kind = pqInt16
	case "INT":
		c.Kind = pqInt32
	case "BIGINT":
		c.Kind = pqInt64
	case "FLOAT":
		c.Kind = pqFloat
	case "DOUBLE":
		c.Kind = pqDouble
	case "DECIMAL":
		c.Kind, c.Precision, c.Scale = pqDecimal, ct.Precision, ct.Scale
	case "DATE":
		c.Kind = pqDate
	case "DATETIME":
		c.Kind, c.unit = pqTimestamp, time.Microsecond
	case "VARBINARY":
		c.Kind = pqBytes
	}
	return c
}

// node is the Parquet schema node of the column.
func (c pqColumn) node() parquet.Node {
	var n parquet.Node
	switch c.Kind {
	case pqBool:
		n = parquet.Leaf(parquet.BooleanType)
	case pqInt8:
		n = parquet.Int(8)
	case pqInt16:
		n = parquet.Int(16)
	case pqInt32:
		n = parquet.Int(32)
	case pqInt64:
		n = parquet.Int(64)
	case pqFloat:
		n = parquet.Leaf(parquet.FloatType)
	case pqDouble:
		n = parquet.Leaf(parquet.DoubleType)
	case pqDecimal:
		switch {
		case c.Precision <= 9:
			n = parquet.Decimal(c.Scale, c.Precision, parquet.Int32Type)
		case c.Precision <= 18:
			n = parquet.Decimal(c.Scale, c.Precision, parquet.Int64Type)
		default:
			n = parquet.Decimal(c.Scale, c.Precision, parquet.FixedLenByteArrayType(16))
		}
	case pqDate:
		n = parquet.Date()
	case pqTimestamp:
		n = parquet.TimestampAdjusted(parquet.Microsecond, false)
	case pqBytes:
		n = parquet.Leaf(parquet.ByteArrayType)
	default:
		n = parquet.String()
	}
	return parquet.Optional(n)
}

// orderedGroup keeps the columns of a Parquet group in the given order
// (parquet.Group orders fields by name).
type orderedGroup struct {
	parquet.Group
	order []string
}

// Fields implements parquet.Node.
func (g orderedGroup) Fields() []parquet.Field {
	byName := map[string]parquet.Field{}
	for _, f := range g.Group.Fields() {
		byName[f.Name()] = f
	}
	out := make([]parquet.Field, 0, len(g.order))
	for _, n := range g.order {
		out = append(out, byName[n])
	}
	return out
}

// parquetCodec maps the "compression" property to a codec.
func parquetCodec(name string) (compress.Codec, bool) {
	switch name {
	case "uncompressed":
		return &parquet.Uncompressed, true
	case "snappy":
		return &parquet.Snappy, true
	case "gzip":
		return &parquet.Gzip, true
	case "zstd":
		return &parquet.Zstd, true
	case "lz4":
		return &parquet.Lz4Raw, true
	}
	return nil, false
}

// parquetWriter writes rows of typed values to one Parquet file.
type parquetWriter struct {
	cols []pqColumn
	w    *parquet.Writer
	buf  []parquet.Row
}

func newParquetWriter(out io.Writer, cols []pqColumn, codec compress.Codec) *parquetWriter {
	g := parquet.Group{}
	order := make([]string, len(cols))
	for i, c := range cols {
		g[c.Name] = c.node()
		order[i] = c.Name
	}
	schema := parquet.NewSchema("starrocks_schema", orderedGroup{Group: g, order: order})
	return &parquetWriter{cols: cols, w: parquet.NewWriter(out, schema, parquet.Compression(codec))}
}

// write adds one row; values have the storage types of their columns.
func (pw *parquetWriter) write(vals []any) error {
	row := make(parquet.Row, len(pw.cols))
	for i, c := range pw.cols {
		v, err := c.value(vals[i])
		if err != nil {
			return err
		}
		if vals[i] == nil {
			row[i] = parquet.NullValue().Level(0, 0, i)
		} else {
			row[i] = v.Level(0, 1, i)
		}
	}
	pw.buf = append(pw.buf, row)
	if len(pw.buf) >= 1024 {
		return pw.flushRows()
	}
	return nil
}

func (pw *parquetWriter) flushRows() error {
	if len(pw.buf) == 0 {
		return nil
	}
	_, err := pw.w.WriteRows(pw.buf)
	pw.buf = pw.buf[:0]
	return err
}

// size estimates the bytes written so far.
func (pw *parquetWriter) size() int64 { return pw.w.Size() }

func (pw *parquetWriter) close() error {
	if err := pw.flushRows(); err != nil {
		return err
	}
	return pw.w.Close()
}

// value converts a storage value to a Parquet value of the column.
func (c pqColumn) value(v any) (parquet.Value, error) {
	if v == nil {
		return parquet.NullValue(), nil
	}
	ctx := gsql.NewEmptyContext()
	switch c.Kind {
	case pqBool:
		n, _, err := types.Int64.Convert(ctx, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.BooleanValue(n.(int64) != 0), nil
	case pqInt8, pqInt16, pqInt32:
		n, _, err := types.Int64.Convert(ctx, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.Int32Value(int32(n.(int64))), nil
	case pqInt64:
		n, _, err := types.Int64.Convert(ctx, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.Int64Value(n.(int64)), nil
	case pqFloat:
		f, _, err := types.Float32.Convert(ctx, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.FloatValue(f.(float32)), nil
	case pqDouble:
		f, _, err := types.Float64.Convert(ctx, v)
		if err != nil {
			return parquet.Value{}, err
		}
		return parquet.DoubleValue(f.(float64)), nil
	case pqDecimal:
		d, ok := v.(decimal.Decimal)
		if !ok {
			var err error
			if d, err = decimal.NewFromString(fmt.Sprint(v)); err != nil {
				return parquet.Value{}, err
			}
		}
		unscaled := d.Shift(int32(c.Scale)).Round(0).BigInt()
		switch {
		case c.Precision <= 9:
			return parquet.Int32Value(int32(unscaled.Int64())), nil
		case c.Precision <= 18:
			return parquet.Int64Value(unscaled.Int64()), nil
		}
		return parquet.FixedLenByteArrayValue(twosComplement(unscaled, 16)), nil
	case pqDate, pqTimestamp:
		t, ok := v.(time.Time)
		if !ok {
			var err error
			if t, err = parseTemporal(fmt.Sprint(v)); err != nil {
				return parquet.Value{}, err
			}
		}
		if c.Kind == pqDate {
			days := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
			return parquet.Int32Value(int32(days)), nil
		}
		return parquet.Int64Value(t.UnixMicro()), nil
	case pqBytes:
		if b, ok := v.([]byte); ok {
			return parquet.ByteArrayValue(b), nil
		}
	}
	s, _ := renderValue(ColumnType{Base: "VARCHAR"}, v)
	return parquet.ByteArrayValue([]byte(s)), nil
}

// twosComplement renders n big-endian in size bytes.
func twosComplement(n *big.Int, size int) []byte {
	out := make([]byte, size)
	if n.Sign() >= 0 {
		n.FillBytes(out)
		return out
	}
	m := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(size*8)), n)
	m.FillBytes(out)
	return out
}

// parquetFile is a decoded flat Parquet file.
type parquetFile struct {
	cols []pqColumn
	rows [][]any
}

// readParquet decodes a whole flat Parquet file into storage-typed values.
func readParquet(data []byte) (*parquetFile, error) {
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("Invalid parquet file: %v", err)
	}
	elems := f.Metadata().Schema
	if len(elems) == 0 {
		return nil, errors.New("Invalid parquet file: empty schema")
	}
	pf := &parquetFile{}
	for _, e := range elems[1:] {
		if nc, ok := e.NumChildren.Get(); ok && nc > 0 {
			return nil, fmt.Errorf("nested parquet column %s is not supported by the StarRocks simulator", e.Name)
		}
		pf.cols = append(pf.cols, pqColumnOf(e))
	}
	r := parquet.NewReader(f)
	defer r.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			vals := make([]any, len(pf.cols))
			for _, v := range row {
				i := v.Column()
				if i < 0 || i >= len(vals) || v.IsNull() {
					continue
				}
				vals[i] = pf.cols[i].decode(v)
			}
			pf.rows = append(pf.rows, vals)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("Invalid parquet file: %v", err)
		}
	}
	return pf, nil
}

// pqColumnOf derives the column of a schema element.
func pqColumnOf(e format.SchemaElement) pqColumn {
	c := pqColumn{Name: e.Name, Kind: pqBytes}
	ct, hasCT := e.ConvertedType.Get()
	typ, _ := e.Type.Get()
	c.physical = typ
	switch lt := e.LogicalType.Value.(type) {
	case *format.StringType, *format.JsonType, *format.EnumType:
		c.Kind = pqString
		return c
	case *format.DateType:
		c.Kind = pqDate
		return c
	case *format.DecimalType:
		c.Kind, c.Precision, c.Scale = pqDecimal, int(lt.Precision), int(lt.Scale)
		return c
	case *format.TimestampType:
		c.Kind, c.unit = pqTimestamp, time.Microsecond
		switch lt.Unit.Value.(type) {
		case *format.MilliSeconds:
			c.unit = time.Millisecond
		case *format.NanoSeconds:
			c.unit = time.Nanosecond
		}
		return c
	case *format.IntType:
		switch lt.BitWidth {
		case 8:
			c.Kind = pqInt8
		case 16:
			c.Kind = pqInt16
		case 32:
			c.Kind = pqInt32
		default:
			c.Kind = pqInt64
		}
		return c
	}
	if hasCT {
		switch ct {
		case deprecated.UTF8, deprecated.Json, deprecated.Enum:
			c.Kind = pqString
			return c
		case deprecated.Date:
			c.Kind = pqDate
			return c
		case deprecated.Decimal:
			p, _ := e.Precision.Get()
			s, _ := e.Scale.Get()
			c.Kind, c.Precision, c.Scale = pqDecimal, int(p), int(s)
			return c
		case deprecated.TimestampMillis:
			c.Kind, c.unit = pqTimestamp, time.Millisecond
			return c
		case deprecated.TimestampMicros:
			c.Kind, c.unit = pqTimestamp, time.Microsecond
			return c
		}
	}
	switch typ {
	case format.Boolean:
		c.Kind = pqBool
	case format.Int32:
		c.Kind = pqInt32
	case format.Int64:
		c.Kind = pqInt64
	case format.Float:
		c.Kind = pqFloat
	case format.Double:
		c.Kind = pqDouble
	case format.Int96:
		c.Kind, c.unit = pqTimestamp, 0
	}
	return c
}

// decode converts a non-null Parquet value to a storage value.
func (c pqColumn) decode(v parquet.Value) any {
	switch c.Kind {
	case pqBool:
		if v.Boolean() {
			return int8(1)
		}
		return int8(0)
	case pqInt8:
		return int8(v.Int32())
	case pqInt16:
		return int16(v.Int32())
	case pqInt32:
		return v.Int32()
	case pqInt64:
		return v.Int64()
	case pqFloat:
		return v.Float()
	case pqDouble:
		return v.Double()
	case pqDecimal:
		var n *big.Int
		switch c.physical {
		case format.Int32:
			n = big.NewInt(int64(v.Int32()))
		case format.Int64:
			n = big.NewInt(v.Int64())
		default:
			b := v.ByteArray()
			n = new(big.Int).SetBytes(b)
			if len(b) > 0 && b[0]&0x80 != 0 {
				n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b)*8)))
			}
		}
		return decimal.NewFromBigInt(n, -int32(c.Scale))
	case pqDate:
		return time.Unix(int64(v.Int32())*86400, 0).UTC()
	case pqTimestamp:
		if c.unit == 0 { // INT96
			t := v.Int96()
			nanos := int64(t[0]) | int64(t[1])<<32
			return time.Unix((int64(t[2])-2440588)*86400, nanos).UTC()
		}
		return time.Unix(0, v.Int64()*int64(c.unit)).UTC()
	case pqString:
		return string(v.ByteArray())
	}
	return append([]byte(nil), v.ByteArray()...)
}

// gmsType is the engine type FILES() gives the column.
func (c pqColumn) gmsType() gsql.Type {
	switch c.Kind {
	case pqBool:
		return types.Boolean
	case pqInt8:
		return types.Int8
	case pqInt16:
		return types.Int16
	case pqInt32:
		return types.Int32
	case pqInt64:
		return types.Int64
	case pqFloat:
		return types.Float32
	case pqDouble:
		return types.Float64
	case pqDecimal:
		if c.Precision < 1 || c.Precision > 65 {
			return types.MustCreateDecimalType(38, 9)
		}
		return types.MustCreateDecimalType(uint8(c.Precision), uint8(c.Scale))
	case pqDate:
		return types.Date
	case pqTimestamp:
		return types.MustCreateDatetimeType(sqltypes.Datetime, 6)
	case pqString:
		return types.LongText
	}
	return types.LongBlob
}
