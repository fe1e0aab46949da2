using System.CommandLine;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm exec NAME -- CMD…</c>: runs a command inside a sandbox with the sandbox's environment.</summary>
internal static class ExecCommand
{
    public static Command Create(VmmContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The sandbox" };
        var argv = new Argument<string[]>("CMD") { Description = "The command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var user = new Option<string?>("--user")
        {
            Description = "netns: the host user the command runs as (NAME, UID, NAME:GROUP or UID:GID), still without capabilities. Default: nobody",
            HelpName = "USER",
        };
        var exec = new Command(
            "exec",
            "Run a command inside a sandbox, standard streams passed through; exits with its exit code. The command gets\n"
            + "HTTP_PROXY/HTTPS_PROXY/NO_PROXY, SSL_CERT_FILE and friends (system roots plus the gateway CA), the kits'\n"
            + "variables and their credential placeholders. In a netns sandbox it runs under bubblewrap as nobody, with no\n"
            + "capabilities, its own PID and mount namespaces, the gateway's state, configuration and credential files\n"
            + "hidden, and the host's files read-only but for the sandbox's --workdir and a private /tmp.\n\n"
            + "Examples:\n  vmm exec dev -- curl https://api.example.com/\n  vmm exec dev -- sh -c 'env | grep -i proxy'\n"
            + "  vmm exec --user root dev -- id")
        {
            name, user, argv,
        };
        exec.SetAction(async (result, cancellation) =>
        {
            VmmContext.RequireRoot("vmm exec");
            string sandbox = result.GetValue(name)!;
            var store = new SandboxStore(context.StateDirectory(result));
            SandboxRecord record = store.Read(sandbox)
                ?? throw new VmmException($"no sandbox \"{sandbox}\" in {store.StateDirectory}; `vmm ls` lists them");
            if (record.Status != SandboxStatus.Ready)
            {
                throw new VmmException($"sandbox \"{sandbox}\" is not ready ({record.Status}); `vmm gc` cleans up a create that crashed");
            }

            ISandboxKind kind = SandboxKinds.Find(record.Kind)
                ?? throw new VmmException($"sandbox \"{sandbox}\" is a {record.Kind}, which this build cannot run");
            if (!kind.IsAlive(record))
            {
                throw new VmmException($"sandbox \"{sandbox}\" no longer runs; remove it with `vmm rm {sandbox}`");
            }

            string? runAs = result.GetValue(user);
            if (runAs is not null && kind is not Netns.NetnsKind)
            {
                throw new VmmException($"--user applies to netns sandboxes; in a {record.Kind} commands run as the guest's root, which holds nothing of the host's", ExitCodes.Usage);
            }

            using GatewayAdmin admin = GatewayAdmin.For(store.StateDirectory);
            record = await new SandboxRefresh(store, admin, context.Error).RefreshAsync(record, cancellation).ConfigureAwait(false);
            var request = new SandboxExec(result.GetValue(argv)!, record.Environment, runAs, record.Confidential ?? [store.StateDirectory], CaBundle.PathOf(record.HostInterface));
            return await kind.ExecAsync(record, request, cancellation).ConfigureAwait(false);
        });
        return exec;
    }
}
