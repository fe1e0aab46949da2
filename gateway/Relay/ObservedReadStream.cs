namespace Gateway.Relay;

/// <summary>
/// A read-only pass-through that shows every read's byte count to <see cref="Observe"/> before the
/// caller sees it: what counts a body's bytes, or charges them to a budget, whatever its framing said.
/// Observe may throw to fail the read, so the bytes never reach whoever forwards the body.
/// </summary>
internal abstract class ObservedReadStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Observe(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Observe(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Observe(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Observe(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>Sees <paramref name="read"/> bytes just read (0 at the end) and returns it.</summary>
    protected abstract int Observe(int read);
}
