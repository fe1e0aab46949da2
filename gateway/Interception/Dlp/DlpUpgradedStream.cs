namespace Gateway.Interception.Dlp;

/// <summary>
/// The client side of an upgraded (WebSocket) connection as the forwarder relays it: what the client sends is
/// followed frame by frame (<see cref="DlpWebSocketFrames"/>) before it is handed on; what the upstream sends passes
/// untouched. In block mode a hit fails the read, which ends the relay both ways.
/// </summary>
internal sealed class DlpUpgradedStream(Stream inner, DlpWebSocketFrames frames, bool block) : Stream
{
    private bool _scanning = true;

    /// <summary>The first secret found, or <see cref="DlpPattern.None"/>.</summary>
    public DlpPattern Hit { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (block && Hit != DlpPattern.None)
        {
            throw new DlpBlockedException();
        }

        int read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);

        // The forwarder waits for data with zero-byte reads (no buffer rented while idle): their 0 is no end of stream.
        if (_scanning && !buffer.IsEmpty)
        {
            DlpPattern pattern = read == 0 ? frames.Complete() : frames.Feed(buffer.Span[..read]);
            if (pattern != DlpPattern.None)
            {
                Hit = pattern;
                _scanning = false;
                if (block)
                {
                    throw new DlpBlockedException();
                }
            }
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the upgraded stream is read asynchronously");

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            frames.Dispose();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        frames.Dispose();
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
