using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Interception;

/// <summary>
/// Keeps the runtime's OpenSSL context (SSL_CTX) of one cached leaf alive between connections.
/// .NET 10 on Linux keeps SSL_CTXs in one process-wide cache keyed by the certificate, and every
/// 32nd new entry evicts each one no live connection is using. A leaf whose host sees one
/// connection at a time was therefore given a new SSL_CTX per connection (measured: 12 % of the
/// gateway's CPU in S6 warm, in <c>SSL_CTX_new</c>), and since a TLS 1.3 session ticket is sealed
/// with its SSL_CTX's key, the ticket a client got could never resume: every connection was a
/// full handshake. An anchor is one server <see cref="SslStream"/> on the leaf's context that is
/// handed a ClientHello and then waits for the client's Finished, which never comes: while it
/// waits it holds the SSL_CTX, as a live connection would. The ticket key is thus per leaf, so
/// per host: a ticket for one host cannot resume a connection for another.
/// </summary>
internal sealed class LeafContextAnchor : IDisposable
{
    private static readonly Lazy<byte[]?> s_clientHello = new(RecordClientHello);

    private readonly SslStream _stream;
    private readonly HelloStream _transport;
    private readonly Task _handshake;

    private LeafContextAnchor(SslStream stream, HelloStream transport, Task handshake)
    {
        _stream = stream;
        _transport = transport;
        _handshake = handshake;
    }

    /// <summary>
    /// Anchors <paramref name="context"/> under the options every interception handshake uses
    /// (<paramref name="protocols"/>: the SSL_CTX cache key includes whether ALPN is offered);
    /// null when it could not (the anchor is an optimisation: a connection works without it).
    /// </summary>
    public static LeafContextAnchor? TryCreate(SslStreamCertificateContext context, List<SslApplicationProtocol> protocols)
    {
        if (!OperatingSystem.IsLinux() || s_clientHello.Value is not { } hello)
        {
            return null;
        }

        var transport = new HelloStream(hello);
        var stream = new SslStream(transport, leaveInnerStreamOpen: false);
        Task handshake = stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            ApplicationProtocols = protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });

        // The handshake ends only when the anchor is disposed; until then it has taken the ClientHello and waits.
        _ = handshake.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        if (handshake.IsCompleted || !transport.HelloTaken)
        {
            stream.Dispose();
            return null;
        }

        return new LeafContextAnchor(stream, transport, handshake);
    }

    /// <summary>Ends the waiting handshake and lets the SSL_CTX go (the cache may then evict it).</summary>
    public void Dispose()
    {
        // The waiting read ends (end of stream), the handshake fails, and only then is the
        // stream disposed: never under a handshake step still running on another thread.
        _transport.End();
        _ = _handshake.ContinueWith(static (_, stream) => ((SslStream)stream!).Dispose(), _stream, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // A .NET client's first flight (TLS 1.3 and 1.2, ALPN h2 and http/1.1), recorded once. The
    // client writes it before its first read, so it is there when the call returns; nothing
    // waits for the client's handshake to fail (this may run on a socket engine thread).
    private static byte[]? RecordClientHello()
    {
        var sink = new HelloStream([]);
        var client = new SslStream(sink, leaveInnerStreamOpen: false);
        Task handshake = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "anchor.invalid",
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
            RemoteCertificateValidationCallback = static (_, _, _, _) => false,
        });
        byte[]? hello = sink.Written;
        sink.End();
        _ = handshake.ContinueWith(static (t, stream) => { _ = t.Exception; ((SslStream)stream!).Dispose(); }, client, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return hello;
    }

    /// <summary>
    /// Reads return the recorded ClientHello once, then wait until <see cref="End"/> (end of
    /// stream); writes are kept (the first one, when recording) and otherwise dropped.
    /// </summary>
    private sealed class HelloStream(byte[] hello) : Stream
    {
        private readonly TaskCompletionSource<int> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _offset;

        public bool HelloTaken => _offset == hello.Length;

        public byte[]? Written { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void End() => _closed.TrySetResult(0);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset < hello.Length)
            {
                int count = Math.Min(buffer.Length, hello.Length - _offset);
                hello.AsSpan(_offset, count).CopyTo(buffer.Span);
                _offset += count;
                return ValueTask.FromResult(count);
            }

            return new ValueTask<int>(_closed.Task.WaitAsync(cancellationToken));
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Written ??= buffer.ToArray();
            return ValueTask.CompletedTask;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
