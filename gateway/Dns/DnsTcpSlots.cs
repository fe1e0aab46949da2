using System.Net;

namespace Gateway.Dns;

/// <summary>
/// The DNS-over-TCP connections served at once: at most <see cref="Total"/>, and at most
/// <see cref="PerSource"/> from one source address, so one sandbox holding connections open (each
/// waits up to <c>limits.headerTimeout</c> for its next query) cannot take every slot and leave the
/// other sandboxes without TCP fallback for truncated answers (RFC 7766 §6.2.2). Callers hold the
/// lock of the server's connection set.
/// </summary>
internal sealed class DnsTcpSlots
{
    /// <summary>TCP connections served at once; more are closed on accept.</summary>
    public const int Total = 128;

    /// <summary>TCP connections of one source address served at once.</summary>
    public const int PerSource = 16;

    private readonly Dictionary<IPAddress, int> _bySource = [];
    private int _taken;

    /// <summary>Takes a slot for <paramref name="source"/>; false when the total or its own share is used up.</summary>
    public bool TryTake(IPAddress source)
    {
        if (_taken >= Total)
        {
            return false;
        }

        _bySource.TryGetValue(source, out int held);
        if (held >= PerSource)
        {
            return false;
        }

        _bySource[source] = held + 1;
        _taken++;
        return true;
    }

    /// <summary>Returns the slot a connection from <paramref name="source"/> held.</summary>
    public void Return(IPAddress source)
    {
        _taken--;
        if (_bySource.TryGetValue(source, out int held) && held > 1)
        {
            _bySource[source] = held - 1;
        }
        else
        {
            _bySource.Remove(source);
        }
    }
}
