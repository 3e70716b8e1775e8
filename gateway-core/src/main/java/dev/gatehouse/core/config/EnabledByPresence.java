package dev.gatehouse.core.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a configuration section that is switched on by being present, as Traefik's {@code ping}
 * is: {@code --ping}, {@code --ping=true}, {@code ping: true}, {@code ping: {}} and an empty
 * {@code ping:} all enable it with its defaults; {@code false} disables it (the section binds to
 * {@code null}, as if it were absent).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EnabledByPresence {
}
