using System.CommandLine;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm exec NAME -- CMD…</c>: runs a command inside a sandbox with the sandbox's environment.</summary>
internal static class ExecCommand
{
    public static Command Create(VmmContext context)
    {
        var name = new Argument<string>("NAME") { Description = "The sandbox" };
        var argv = new Argument<string[]>("CMD") { Description = "The command and its arguments, after --", Arity = ArgumentArity.OneOrMore };
        var exec = new Command(
            "exec",
            "Run a command inside a sandbox, standard streams passed through; exits with its exit code. The command gets\n"
            + "HTTP_PROXY/HTTPS_PROXY/NO_PROXY, the kits' variables and their credential placeholders.\n\n"
            + "Examples:\n  vmm exec dev -- curl https://api.example.com/\n  vmm exec dev -- sh -c 'env | grep -i proxy'")
        {
            name, argv,
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

            return await kind.ExecAsync(record, result.GetValue(argv)!, record.Environment, cancellation).ConfigureAwait(false);
        });
        return exec;
    }
}
