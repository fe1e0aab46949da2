namespace Gateway.Configuration;

/// <summary>The append-only JSON Lines audit file.</summary>
/// <param name="File">Absolute path of the live file.</param>
/// <param name="MaxFileSize">Bytes after which the file is rotated.</param>
/// <param name="Keep">Rotated files kept besides the live one; older ones are deleted.</param>
internal sealed record AuditConfig(string File, long MaxFileSize, int Keep)
{
    /// <summary>
    /// Refusals (and DNS queries) per second each sandbox may write to the file once its burst is
    /// spent; past it they are counted in a summary line instead, so one sandbox's flood cannot
    /// rotate other sandboxes' events away (<c>audit.refusalsPerSecond</c>).
    /// </summary>
    public int RefusalsPerSecond { get; init; } = int.Parse(ConfigDefaults.AuditRefusalsPerSecond, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Refusals a sandbox may write at once before <see cref="RefusalsPerSecond"/> applies (<c>audit.refusalBurst</c>).</summary>
    public int RefusalBurst { get; init; } = int.Parse(ConfigDefaults.AuditRefusalBurst, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Rows <c>policy log</c> holds in the daemon, all sandboxes together (<c>audit.logRows</c>).</summary>
    public int LogRows { get; init; } = int.Parse(ConfigDefaults.AuditLogRows, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Rows <c>policy log</c> holds per sandbox, so one sandbox's flood evicts only its own rows (<c>audit.logRowsPerSandbox</c>).</summary>
    public int LogRowsPerSandbox { get; init; } = int.Parse(ConfigDefaults.AuditLogRowsPerSandbox, System.Globalization.CultureInfo.InvariantCulture);
}
