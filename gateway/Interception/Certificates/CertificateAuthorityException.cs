namespace Gateway.Interception.Certificates;

/// <summary>The interception CA cannot be loaded or stored; the message is one line naming the file and the fix.</summary>
internal sealed class CertificateAuthorityException(string message, Exception? inner = null) : Exception(message, inner);
