namespace Gateway.Sandboxes;

/// <summary>
/// A request body of undeclared length (chunked, or HTTP/2 without content-length) charged to
/// its sandbox's upload window as it is read, in whole KiB. When the window is used up the read
/// fails, so the bytes over the budget never reach the upstream and the request is abandoned;
/// the sandbox's next request is refused with 429 until the window turns.
/// </summary>
internal sealed class MeteredUploadStream(Stream inner, SandboxBudget budget, SandboxBudgets owner) : Stream
{
    private long _read;
    private long _chargedKiB;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Charge(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Charge(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Charge(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Charge(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

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

    private int Charge(int read)
    {
        if (read <= 0)
        {
            return read;
        }

        _read += read;
        long due = (_read + 1023) / 1024;
        if (due > _chargedKiB)
        {
            if (!budget.TryChargeUpload((int)Math.Min(int.MaxValue, due - _chargedKiB)))
            {
                owner.CountExceeded(BudgetKind.UploadBytesPerHour);
                throw new IOException("the sandbox's upload budget (budgets.uploadBytesPerHour) is used up; the rest of this request body was not sent");
            }

            _chargedKiB = due;
        }

        return read;
    }
}
