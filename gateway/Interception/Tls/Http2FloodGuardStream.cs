namespace Gateway.Interception.Tls;

/// <summary>
/// The decrypted stream of an intercepted HTTP/2 connection as Kestrel's pipes see it: reads pass
/// through an <see cref="Http2FrameBudget"/>, writes count toward its allowance. Once a client spends
/// the budget, <paramref name="flooded"/> runs (it counts the flood and aborts the connection) and
/// this read and every later one fail, so Kestrel ends the connection as a reset one; nothing more
/// of the flood is handed to it. A GOAWAY is not written here: Kestrel's frame writer owns the
/// output, and a second writer on the TLS stream would interleave with its frames.
/// </summary>
internal sealed class Http2FloodGuardStream(Stream inner, Http2FrameBudget budget, Action flooded) : Stream
{
    private bool _flooded;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfFlooded();
        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (!budget.Observe(buffer.Span[..read]))
        {
            _flooded = true;
            flooded();
            ThrowIfFlooded();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the intercepted stream is read asynchronously");

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        budget.AddSent(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the intercepted stream is written asynchronously");

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void ThrowIfFlooded()
    {
        if (_flooded)
        {
            throw new IOException("HTTP/2 control-frame flood: the connection was closed (limits.http2ControlFramesPerSecond)");
        }
    }
}
