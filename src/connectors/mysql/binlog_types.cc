#include "connectors/mysql/binlog_types.h"

namespace rivven::mysql {

const char* BinlogEventTypeName(uint8_t type) {
  switch (static_cast<BinlogEventType>(type)) {
    case BinlogEventType::kUnknown: return "UNKNOWN_EVENT";
    case BinlogEventType::kStartV3: return "START_EVENT_V3";
    case BinlogEventType::kQuery: return "QUERY_EVENT";
    case BinlogEventType::kStop: return "STOP_EVENT";
    case BinlogEventType::kRotate: return "ROTATE_EVENT";
    case BinlogEventType::kIntvar: return "INTVAR_EVENT";
    case BinlogEventType::kSlave: return "SLAVE_EVENT";
    case BinlogEventType::kAppendBlock: return "APPEND_BLOCK_EVENT";
    case BinlogEventType::kDeleteFile: return "DELETE_FILE_EVENT";
    case BinlogEventType::kRand: return "RAND_EVENT";
    case BinlogEventType::kUserVar: return "USER_VAR_EVENT";
    case BinlogEventType::kFormatDescription: return "FORMAT_DESCRIPTION_EVENT";
    case BinlogEventType::kXid: return "XID_EVENT";
    case BinlogEventType::kBeginLoadQuery: return "BEGIN_LOAD_QUERY_EVENT";
    case BinlogEventType::kExecuteLoadQuery: return "EXECUTE_LOAD_QUERY_EVENT";
    case BinlogEventType::kTableMap: return "TABLE_MAP_EVENT";
    case BinlogEventType::kWriteRowsV1: return "WRITE_ROWS_EVENT_V1";
    case BinlogEventType::kUpdateRowsV1: return "UPDATE_ROWS_EVENT_V1";
    case BinlogEventType::kDeleteRowsV1: return "DELETE_ROWS_EVENT_V1";
    case BinlogEventType::kIncident: return "INCIDENT_EVENT";
    case BinlogEventType::kHeartbeat: return "HEARTBEAT_LOG_EVENT";
    case BinlogEventType::kIgnorable: return "IGNORABLE_LOG_EVENT";
    case BinlogEventType::kRowsQuery: return "ROWS_QUERY_LOG_EVENT";
    case BinlogEventType::kWriteRowsV2: return "WRITE_ROWS_EVENT";
    case BinlogEventType::kUpdateRowsV2: return "UPDATE_ROWS_EVENT";
    case BinlogEventType::kDeleteRowsV2: return "DELETE_ROWS_EVENT";
    case BinlogEventType::kGtid: return "GTID_LOG_EVENT";
    case BinlogEventType::kAnonymousGtid: return "ANONYMOUS_GTID_LOG_EVENT";
    case BinlogEventType::kPreviousGtids: return "PREVIOUS_GTIDS_LOG_EVENT";
    case BinlogEventType::kTransactionContext: return "TRANSACTION_CONTEXT_EVENT";
    case BinlogEventType::kViewChange: return "VIEW_CHANGE_EVENT";
    case BinlogEventType::kXaPrepare: return "XA_PREPARE_LOG_EVENT";
    case BinlogEventType::kPartialUpdateRows: return "PARTIAL_UPDATE_ROWS_EVENT";
    case BinlogEventType::kTransactionPayload: return "TRANSACTION_PAYLOAD_EVENT";
    case BinlogEventType::kHeartbeatV2: return "HEARTBEAT_LOG_EVENT_V2";
    case BinlogEventType::kGtidTagged: return "GTID_TAGGED_LOG_EVENT";
    case BinlogEventType::kAnnotateRows: return "ANNOTATE_ROWS_EVENT";
    case BinlogEventType::kBinlogCheckpoint: return "BINLOG_CHECKPOINT_EVENT";
    case BinlogEventType::kMariaGtid: return "GTID_EVENT";
    case BinlogEventType::kMariaGtidList: return "GTID_LIST_EVENT";
    case BinlogEventType::kStartEncryption: return "START_ENCRYPTION_EVENT";
    case BinlogEventType::kQueryCompressed: return "QUERY_COMPRESSED_EVENT";
    case BinlogEventType::kWriteRowsCompressedV1: return "WRITE_ROWS_COMPRESSED_EVENT_V1";
    case BinlogEventType::kUpdateRowsCompressedV1: return "UPDATE_ROWS_COMPRESSED_EVENT_V1";
    case BinlogEventType::kDeleteRowsCompressedV1: return "DELETE_ROWS_COMPRESSED_EVENT_V1";
    case BinlogEventType::kWriteRowsCompressed: return "WRITE_ROWS_COMPRESSED_EVENT";
    case BinlogEventType::kUpdateRowsCompressed: return "UPDATE_ROWS_COMPRESSED_EVENT";
    case BinlogEventType::kDeleteRowsCompressed: return "DELETE_ROWS_COMPRESSED_EVENT";
  }
  return "UNKNOWN_EVENT";
}

const char* ColumnTypeName(uint8_t type) {
  switch (static_cast<ColumnType>(type)) {
    case ColumnType::kDecimal: return "DECIMAL";
    case ColumnType::kTiny: return "TINY";
    case ColumnType::kShort: return "SHORT";
    case ColumnType::kLong: return "LONG";
    case ColumnType::kFloat: return "FLOAT";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kNull: return "NULL";
    case ColumnType::kTimestamp: return "TIMESTAMP";
    case ColumnType::kLongLong: return "LONGLONG";
    case ColumnType::kInt24: return "INT24";
    case ColumnType::kDate: return "DATE";
    case ColumnType::kTime: return "TIME";
    case ColumnType::kDateTime: return "DATETIME";
    case ColumnType::kYear: return "YEAR";
    case ColumnType::kNewDate: return "NEWDATE";
    case ColumnType::kVarchar: return "VARCHAR";
    case ColumnType::kBit: return "BIT";
    case ColumnType::kTimestamp2: return "TIMESTAMP2";
    case ColumnType::kDateTime2: return "DATETIME2";
    case ColumnType::kTime2: return "TIME2";
    case ColumnType::kTypedArray: return "TYPED_ARRAY";
    case ColumnType::kVarcharCompressed: return "VARCHAR_COMPRESSED";
    case ColumnType::kBlobCompressed: return "BLOB_COMPRESSED";
    case ColumnType::kJson: return "JSON";
    case ColumnType::kNewDecimal: return "NEWDECIMAL";
    case ColumnType::kEnum: return "ENUM";
    case ColumnType::kSet: return "SET";
    case ColumnType::kTinyBlob: return "TINY_BLOB";
    case ColumnType::kMediumBlob: return "MEDIUM_BLOB";
    case ColumnType::kLongBlob: return "LONG_BLOB";
    case ColumnType::kBlob: return "BLOB";
    case ColumnType::kVarString: return "VAR_STRING";
    case ColumnType::kString: return "STRING";
    case ColumnType::kGeometry: return "GEOMETRY";
  }
  return "UNKNOWN";
}

}  // namespace rivven::mysql
