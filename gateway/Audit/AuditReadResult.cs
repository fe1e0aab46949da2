namespace Gateway.Audit;

/// <summary>What <see cref="AuditLogReader"/> found.</summary>
internal sealed class AuditReadResult
{
    /// <summary>Files read.</summary>
    public int Files { get; set; }

    /// <summary>Events counted.</summary>
    public long Events { get; set; }

    /// <summary>Complete lines that were not audit events (skipped).</summary>
    public long Malformed { get; set; }

    /// <summary>Unterminated last lines that did not parse (a write in progress or a crash).</summary>
    public long Torn { get; set; }
}
