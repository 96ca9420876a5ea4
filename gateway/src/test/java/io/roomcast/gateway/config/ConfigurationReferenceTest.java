package io.roomcast.gateway.config;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md is what {@link ConfigurationReference} makes of the code, and tells the truth. */
class ConfigurationReferenceTest {

    @Test
    void theReferenceListsEverySettingAsTheCodeDeclaresIt() throws Exception {
        String expected = ConfigurationReference.markdown();
        if (Boolean.getBoolean("roomcast.writeDocs")) {
            ConfigurationReference.main(new String[0]);
        }
        String actual = Files.readString(ConfigurationReference.file(), StandardCharsets.UTF_8);
        assertEquals(expected, actual, "docs/configuration.md is out of date with NodeConfig: regenerate it with "
                + "./mvnw -B -pl gateway -am test -Dtest=ConfigurationReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Droomcast.writeDocs=true");
    }

    @Test
    void everyOptionIsInTheReferenceWithItsEnvironmentVariable() throws Exception {
        String doc = Files.readString(ConfigurationReference.file(), StandardCharsets.UTF_8);
        int options = 0;
        for (Field field : NodeConfig.class.getFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option != null) {
                options++;
                Matcher env = ConfigurationReference.ENV_DEFAULT.matcher(option.defaultValue());
                assertTrue(env.matches(), field.getName());
                assertTrue(doc.contains("| `" + env.group(1) + "` | `" + option.names()[0] + "` |"),
                        option.names()[0] + " is not in docs/configuration.md");
            }
        }
        assertEquals(options, ConfigurationReference.settings().size());
    }

    @Test
    void theDefaultsShownAreTheValuesANodeStartsWith() throws Exception {
        NodeConfig defaults = NodeConfig.defaults(); // no flags; the test's environment sets none of these
        List<ConfigurationReference.Setting> settings = ConfigurationReference.settings();
        for (ConfigurationReference.Setting setting : settings) {
            if (System.getenv(setting.env()) != null) {
                continue;
            }
            Field field = fieldOf(setting.flag());
            String actual = Objects.toString(field.get(defaults), "");
            String shown = setting.defaultValue();
            if (shown.startsWith("`")) {
                assertEquals("`" + actual + "`", shown, setting.flag());
            } else {
                assertEquals("", actual, setting.flag() + " shows \"" + shown + "\" but defaults to " + actual);
            }
        }
        // every range holds its default
        for (NodeConfig.Range range : NodeConfig.RANGES) {
            long value = range.value().applyAsLong(defaults);
            assertTrue(value >= range.min() && value <= range.max(), range.flag());
        }
    }

    private static Field fieldOf(String flag) {
        for (Field field : NodeConfig.class.getFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option != null && option.names()[0].equals(flag)) {
                return field;
            }
        }
        throw new AssertionError(flag);
    }
}
