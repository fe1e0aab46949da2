using Gateway.Relay;

namespace Gateway.Sandboxes;

/// <summary>
/// A request body of undeclared length (chunked, or HTTP/2 without content-length) charged to
/// its sandbox's upload window as it is read, in whole KiB. When the window is used up the read
/// fails, so the bytes over the budget never reach the upstream and the request is abandoned;
/// the sandbox's next request is refused with 429 until the window turns.
/// </summary>
internal sealed class MeteredUploadStream(Stream inner, SandboxBudget budget, SandboxBudgets owner) : ObservedReadStream(inner)
{
    private long _read;
    private long _chargedKiB;

    protected override int Observe(int read)
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
