using Gateway.Sandboxes;
using PolicyCompiler.Compilation;

namespace Gateway.Dns;

/// <summary>What one query came to, kept from answering until the answer is sent and then audited.</summary>
internal struct DnsExchange
{
    /// <summary>Bytes of answer to send; 0 sends nothing.</summary>
    public int Length;

    /// <summary>The RCODE sent: the audit event's status.</summary>
    public DnsRcode Rcode;

    /// <summary>The querying sandbox; null when the source is no sandbox or the query was not read (not audited).</summary>
    public Sandbox? Sandbox;

    /// <summary>The name asked for, or <c>"."</c> for the root.</summary>
    public string? Host;

    /// <summary>The port the recorded decision was made for (443, or 80 when only 80 is allowed).</summary>
    public int Port;

    /// <summary>The policy's decision on <see cref="Host"/>; unset for the root.</summary>
    public Decision Decision;

    /// <summary>A query for the root (SOA/NS), decided by the resolver, not the policy.</summary>
    public bool Root;

    /// <summary>Set when the query was refused before the policy was asked: the audit rule that says why.</summary>
    public string? RefusalRule;

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> when the query arrived.</summary>
    public long Started;
}
