using Gateway.Decisions;

namespace Gateway.Dns;

/// <summary>What one query came to, kept from answering until the answer is sent and then audited.</summary>
internal struct DnsExchange
{
    /// <summary>Bytes of answer to send; 0 sends nothing.</summary>
    public int Length;

    /// <summary>The RCODE sent: the audit event's status.</summary>
    public DnsRcode Rcode;

    /// <summary>The query's verdict; unset (see <see cref="Decided"/>) for a packet not worth an answer.</summary>
    public EgressVerdict Verdict;

    /// <summary>True when <see cref="Verdict"/> is set: the query is audited.</summary>
    public bool Decided;
}
