using System.Buffers;
using System.Globalization;
using System.Text;

namespace LoadDriver.Load;

/// <summary>
/// One request and its verified response on an open stream, with a buffer reused for every
/// request of the worker that owns it.
/// </summary>
internal sealed class HttpExchange : IDisposable
{
    private readonly ResponseVerifier _verifier;
    private readonly byte[] _buffer;
    private readonly string _portSuffix;
    private string? _lastHost;
    private byte[] _request = [];

    /// <summary>Creates an exchange that asks for and checks <paramref name="verifier"/>'s body.</summary>
    /// <param name="verifier">What a correct response is.</param>
    /// <param name="port">
    /// The origin's port, named in Host as real clients do when it is not the scheme's default
    /// (RFC 9110 §7.2): an intercepting proxy refuses a Host that names another origin (421).
    /// </param>
    /// <param name="tls">True for https, whose default port is 443 (80 otherwise).</param>
    public HttpExchange(ResponseVerifier verifier, int port = 80, bool tls = false)
    {
        _verifier = verifier;
        _portSuffix = port == (tls ? 443 : 80) ? string.Empty : ":" + port.ToString(CultureInfo.InvariantCulture);
        _buffer = ArrayPool<byte>.Shared.Rent(verifier.BodySize + ResponseVerifier.MaxHeadLength + 1);
    }

    /// <summary>Sends <c>GET /SIZE</c> with <c>Host: host</c> and reads one verified response; throws <see cref="LoadException"/> otherwise.</summary>
    public async Task RoundTripAsync(Stream stream, string host, CancellationToken cancellation)
    {
        if (!ReferenceEquals(host, _lastHost))
        {
            _request = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"GET /{_verifier.BodySize} HTTP/1.1\r\nHost: {host}{_portSuffix}\r\n\r\n"));
            _lastHost = host;
        }

        await stream.WriteAsync(_request, cancellation).ConfigureAwait(false);
        int length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                throw new LoadException("verify-BadBody", "response longer than expected");
            }

            int read = await stream.ReadAsync(_buffer.AsMemory(length), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new LoadException("io", "closed mid-response");
            }

            length += read;
            VerifyOutcome outcome = _verifier.Verify(_buffer.AsSpan(0, length), out int consumed);
            if (outcome == VerifyOutcome.Incomplete)
            {
                continue;
            }

            if (outcome != VerifyOutcome.Ok)
            {
                throw new LoadException("verify-" + outcome, Encoding.ASCII.GetString(_buffer, 0, Math.Min(length, 60)).Split('\r')[0]);
            }

            if (consumed != length)
            {
                throw new LoadException("verify-BadBody", "bytes after the response");
            }

            return;
        }
    }

    /// <inheritdoc />
    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
