using Gateway.Relay;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// A read-only pass-through that adds every byte read to a <see cref="RelayedBytes"/> figure:
/// the bytes a request or response body actually carried, whatever its framing said.
/// </summary>
internal sealed class CountingReadStream(Stream inner, RelayedBytes counter, bool request) : ObservedReadStream(inner)
{
    protected override int Observe(int read)
    {
        counter.Add(request, read);
        return read;
    }
}
