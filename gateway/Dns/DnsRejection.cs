namespace Gateway.Dns;

/// <summary>Why a query was not read: one value per check, for tests and the debug log.</summary>
internal enum DnsRejection
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>Fewer than 2 bytes: no id to answer with.</summary>
    NoId,

    /// <summary>The QR bit is set: a response, not a query.</summary>
    Response,

    /// <summary>Fewer than 12 bytes of header.</summary>
    TruncatedHeader,

    /// <summary>An OPCODE other than QUERY (0): answered NOTIMP.</summary>
    Opcode,

    /// <summary>QDCOUNT is not exactly 1.</summary>
    QuestionCount,

    /// <summary>ANCOUNT or NSCOUNT is not 0, or ARCOUNT is more than 1.</summary>
    RecordCount,

    /// <summary>The question name or its type and class run past the end.</summary>
    TruncatedQuestion,

    /// <summary>A compression pointer in the question: with nothing before the question it can only loop or point into the header.</summary>
    CompressionPointer,

    /// <summary>A label type other than a plain label (0x40, 0x80 prefixes: RFC 6891 §5 deprecated them).</summary>
    LabelType,

    /// <summary>A label byte that is a dot, a control character, a space or not ASCII.</summary>
    NameByte,

    /// <summary>The dotted name is longer than 253 characters (255 octets on the wire).</summary>
    NameTooLong,

    /// <summary>The one additional record is not a well-formed OPT record (RFC 6891 §6.1.2).</summary>
    BadOpt,

    /// <summary>Bytes after the last record.</summary>
    TrailingBytes,
}
