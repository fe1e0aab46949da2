using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Vmm.Network;

namespace Vmm.Microvm;

/// <summary>
/// Talks to the guest agent over the unix socket QEMU puts behind the VM's virtio serial port. QEMU
/// serves one connection at a time, so concurrent <c>vmm exec</c>s queue; each request carries a
/// fresh id and only reply lines with that id count (see <see cref="AgentReply"/>).
/// </summary>
internal static class GuestAgent
{
    /// <summary>The longest a command may run in the guest; the agent kills it then.</summary>
    public static readonly TimeSpan CommandLimit = TimeSpan.FromHours(1);

    // Beyond the command's own limit: queueing behind another exec, encoding, the agent's poll.
    private static readonly TimeSpan s_margin = TimeSpan.FromSeconds(30);

    /// <summary>Sends <c>PING</c> and waits for the matching <c>PONG</c>: the channel works end to end.</summary>
    public static async Task PingAsync(string socketPath, TimeSpan timeout, CancellationToken cancellation)
    {
        string id = NewId();
        await ConverseAsync(socketPath, $"PING {id}\n", id, null, null, timeout, cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="argv"/> in the guest with <paramref name="environment"/>; copies its output; returns its exit code.</summary>
    public static async Task<int> RunAsync(
        string socketPath, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment,
        Stream stdout, Stream stderr, CancellationToken cancellation)
    {
        string id = NewId();
        string script = Convert.ToBase64String(Encoding.UTF8.GetBytes(GuestScript.Build(argv, environment)));
        string request = string.Create(CultureInfo.InvariantCulture, $"RUN {id} {(int)CommandLimit.TotalSeconds} {script}\n");
        return await ConverseAsync(socketPath, request, id, stdout, stderr, CommandLimit + s_margin, cancellation).ConfigureAwait(false);
    }

    private static async Task<int> ConverseAsync(
        string socketPath, string request, string id, Stream? stdout, Stream? stderr, TimeSpan timeout, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), deadline.Token).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            while (await reader.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                switch (AgentReply.Parse(line, id, out byte[] payload, out int exitCode))
                {
                    case AgentReplyKind.Stdout when stdout is not null:
                        await stdout.WriteAsync(payload, deadline.Token).ConfigureAwait(false);
                        break;
                    case AgentReplyKind.Stderr when stderr is not null:
                        await stderr.WriteAsync(payload, deadline.Token).ConfigureAwait(false);
                        break;
                    case AgentReplyKind.Exit or AgentReplyKind.Pong:
                        return exitCode;
                }
            }

            throw new HostCommandException($"the microVM's agent socket {socketPath} closed before the reply ended (did the VM stop?)");
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new HostCommandException($"no reply from the microVM's agent ({socketPath}) within {timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            throw new HostCommandException($"cannot reach the microVM's agent at {socketPath}: {e.Message}");
        }
        catch (FormatException e)
        {
            throw new HostCommandException(e.Message);
        }
        finally
        {
            if (stdout is not null)
            {
                await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (stderr is not null)
            {
                await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
