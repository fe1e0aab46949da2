namespace Gateway.Interception.Dlp;

/// <summary>
/// What a decompressor reads from: the client's raw body, every byte of which is also appended to the
/// <see cref="DlpRequestBody"/>'s pending buffer to be forwarded unchanged. Pulling decoded bytes out of
/// the decompressor thus pulls raw bytes through here, with no copy of the body beyond that buffer.
/// </summary>
internal sealed class DlpTeeStream(Stream inner, DlpRequestBody body) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Memory<byte> free = body.Free;
        if (free.IsEmpty)
        {
            // The decompressor read a whole pending buffer without producing a byte: no honest body does that.
            throw new InvalidDataException("the compressed body produces no output; it cannot be scanned");
        }

        int read = await inner.ReadAsync(buffer.Length < free.Length ? buffer : buffer[..free.Length], cancellationToken).ConfigureAwait(false);
        buffer.Span[..read].CopyTo(free.Span);
        body.Appended(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the request body is read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
