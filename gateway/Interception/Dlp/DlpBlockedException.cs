namespace Gateway.Interception.Dlp;

/// <summary>
/// Thrown from a request body read when DLP found a secret in block mode: the forwarder sees a failed client
/// body and aborts the upstream request before its body is complete. The message names nothing that was read.
/// </summary>
internal sealed class DlpBlockedException() : IOException("outgoing DLP refused the request body");
