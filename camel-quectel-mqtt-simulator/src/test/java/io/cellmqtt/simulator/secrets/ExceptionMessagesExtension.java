package io.cellmqtt.simulator.secrets;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints the message chain (causes and suppressed exceptions) of every exception a test or a
 * lifecycle method throws to {@code System.err}, then lets it go on unchanged: so what a failing test
 * says ends up in the output surefire keeps ({@code target/surefire-reports/<class>-output.txt}) next
 * to the logs, where the {@code secret-scan} module looks for secrets.
 *
 * <p>Registered in every module by JUnit's extension auto-detection (this test-jar's
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension}; the root pom turns
 * {@code junit.jupiter.extensions.autodetection.enabled} on); loading it records {@link TestSecrets}'
 * constants in the module's registry. Exceptions a test catches itself ({@code assertThatThrownBy})
 * never reach it: such tests assert that the message does not show the secret.
 */
public final class ExceptionMessagesExtension implements TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

    static {
        TestSecrets.recordConstants();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        print(context, t);
        throw t;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        print(context, t);
        throw t;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        print(context, t);
        throw t;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        print(context, t);
        throw t;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        print(context, t);
        throw t;
    }

    private static void print(ExtensionContext context, Throwable t) {
        StringBuilder b = new StringBuilder();
        b.append("[test exception] ").append(context.getRequiredTestClass().getName());
        context.getTestMethod().ifPresent(m -> b.append('#').append(m.getName()));
        b.append(" (").append(context.getDisplayName()).append(")\n");
        chain(b, t, "", Collections.newSetFromMap(new IdentityHashMap<>()));
        System.err.print(b);
        System.err.flush();
    }

    private static void chain(StringBuilder b, Throwable t, String prefix, Set<Throwable> seen) {
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            b.append("[test exception]   ").append(c == t ? prefix : "caused by: ").append(c).append('\n');
            for (Throwable s : c.getSuppressed()) {
                chain(b, s, "suppressed: ", seen);
            }
        }
    }
}
