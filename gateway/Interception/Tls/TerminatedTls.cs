using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Interception.Tls;

/// <summary>
/// What Kestrel's HTTP stack sees of a connection the gateway terminated: the decrypted pipes,
/// and TLS features whose negotiated ALPN protocol makes Kestrel choose HTTP/2 or HTTP/1.1
/// (its protocol selection reads <see cref="ITlsApplicationProtocolFeature"/>).
/// </summary>
internal sealed class TerminatedTls(SslStream ssl, PipeReader input, PipeWriter output) : IDuplexPipe, ITlsConnectionFeature, ITlsApplicationProtocolFeature
{
    public PipeReader Input => input;

    public PipeWriter Output => output;

    /// <summary>Always null: sandboxes are identified by address, never by client certificate.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    public ReadOnlyMemory<byte> ApplicationProtocol => ssl.NegotiatedApplicationProtocol.Protocol;

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
}
