namespace Gateway.Dns;

/// <summary>What <see cref="DnsQueryReader"/> read from one query; a plain struct, so reading allocates nothing.</summary>
internal struct DnsQuery
{
    /// <summary>The query id, echoed in the answer; valid unless the status is <see cref="DnsParseStatus.Ignored"/> for <see cref="DnsRejection.NoId"/>.</summary>
    public ushort Id;

    /// <summary>The header flags word as sent (RD and OPCODE are echoed).</summary>
    public ushort Flags;

    /// <summary>The length of the dotted, lower-cased name in the caller's buffer; 0 for the root.</summary>
    public int NameLength;

    /// <summary>QTYPE (1 A, 28 AAAA, 2 NS, 6 SOA …).</summary>
    public ushort Type;

    /// <summary>QCLASS (1 IN).</summary>
    public ushort Class;

    /// <summary>Where the question section ends in the message (12 + the question's wire length); 0 when it was not read.</summary>
    public int QuestionEnd;

    /// <summary>The query carried an EDNS OPT record.</summary>
    public bool HasEdns;

    /// <summary>The requester's UDP payload size from OPT (RFC 6891 §6.2.3); 512 without EDNS.</summary>
    public ushort UdpPayloadSize;

    /// <summary>The EDNS version asked for; an answer to a version other than 0 is BADVERS.</summary>
    public byte EdnsVersion;

    /// <summary>For <see cref="DnsParseStatus.Malformed"/>: FORMERR (1) or NOTIMP (4).</summary>
    public DnsRcode Rcode;

    /// <summary>RD: recursion desired, echoed.</summary>
    public readonly bool RecursionDesired => (Flags & 0x0100) != 0;

    /// <summary>The question as it came on the wire (name, type, class), echoed byte for byte so a resolver's 0x20 case randomisation matches.</summary>
    public readonly ReadOnlySpan<byte> QuestionOf(ReadOnlySpan<byte> message) => message[DnsQueryReader.HeaderLength..QuestionEnd];
}
