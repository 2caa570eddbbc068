/** Rhizome inference module. */
package net.rhizome.inference;
