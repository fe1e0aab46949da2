namespace Gateway.Configuration;

/// <summary>The append-only JSON Lines audit file.</summary>
/// <param name="File">Absolute path of the live file.</param>
/// <param name="MaxFileSize">Bytes after which the file is rotated.</param>
/// <param name="Keep">Rotated files kept besides the live one; older ones are deleted.</param>
internal sealed record AuditConfig(string File, long MaxFileSize, int Keep);
